import { freePort, uniqueName, waitFor } from '@async2/testing';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const START = join(ROOT, 'tools', 'start', 'start.mjs');

/**
 * `npm start` as a user runs it, on ports of its own: tools/start/start.mjs (or npm running it, with
 * `viaNpm`), stdout and stderr piped (so not a terminal: the apps' lines come out as JSON). dist/ is
 * built by the test command, so the script skips its build (--no-build).
 */
export class StartScript {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What ran under the script once it was ready: killAll still finds them when npm died first. */
  private seen: number[] = [];

  private constructor(
    readonly child: ChildProcess,
    readonly producerUrl: string,
  ) {
    const collect = (into: string[]) => {
      let rest = '';
      return (chunk: Buffer) => {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        into.push(...lines);
      };
    };
    child.stdout?.on('data', collect(this.stdout));
    child.stderr?.on('data', collect(this.stderr));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `env` is added to (or, with undefined, removed from) this process's environment. */
  static async launch(env: Record<string, string | undefined>, { viaNpm = false } = {}): Promise<StartScript> {
    const ports = { PRODUCER_PORT: await freePort(), CONSUMER_PORT: await freePort(), GRPC_PORT: await freePort() };
    const topic = uniqueName('events-start');
    const merged: Record<string, string | undefined> = {
      ...process.env,
      LOG_LEVEL: undefined, // the default a user gets
      KAFKA_TOPIC: topic,
      CONSUMER_GROUP: `${topic}-group`,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      ...env,
    };
    const childEnv = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as Record<string, string>;
    // npm: --ignore-scripts skips prestart (the install check) but still runs `start` itself.
    const [command, args] = viaNpm ? ['npm', ['start', '--ignore-scripts', '--', '--no-build']] : [process.execPath, [START, '--no-build']];
    // A process group of its own, as a terminal gives a command: signalGroup is then what Ctrl-C does.
    const child = spawn(command, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    return new StartScript(child, `http://127.0.0.1:${ports.PRODUCER_PORT}`);
  }

  /** Resolves once the banner is printed (both apps ready); rejects if the script exits first. */
  async ready(timeoutMs = 150_000): Promise<void> {
    const done = new AbortController();
    const banner = waitFor(() => this.stdout.some((line) => line.includes('ASYNC2 is running')), { timeoutMs, intervalMs: 100, what: 'the start banner', signal: done.signal });
    banner.catch(() => undefined); // the race below reports whichever comes first
    const early = this.exited.then(({ code, signal }) => Promise.reject(new Error(`start.mjs exited (${code ?? signal}) before its banner`)));
    try {
      await Promise.race([banner, early]);
      this.seen = this.descendants();
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- stdout ---\n${this.stdout.slice(-40).join('\n')}\n--- stderr ---\n${this.stderr.slice(-40).join('\n')}`);
    } finally {
      done.abort(); // a script that exited first: stop polling it
    }
  }

  /** The apps' log lines (JSON), parsed. */
  appLogs(): Array<Record<string, unknown>> {
    return this.stdout.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** POSTs one event and reads it back through the producer (read-your-write with its token). */
  async roundTrip(id: string, data: Record<string, unknown>): Promise<unknown> {
    const write = await fetch(`${this.producerUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, op: 'set', data }),
    });
    if (write.status !== 202) throw new Error(`POST /v1/events answered ${write.status}: ${await write.text()}`);
    const { token } = (await write.json()) as { token: string };
    const read = await fetch(`${this.producerUrl}/v1/entities/${encodeURIComponent(id)}?after=${token}`);
    if (read.status !== 200) throw new Error(`GET /v1/entities/${id} answered ${read.status}: ${await read.text()}`);
    return ((await read.json()) as { state: unknown }).state;
  }

  /** A signal to the script's whole process group, as a terminal sends Ctrl-C (SIGINT). */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid !== undefined) process.kill(-this.child.pid, signal);
  }

  /** Every process started under the script (apps, broker, database), by pid. */
  descendants(): number[] {
    return this.child.pid === undefined ? [] : descendantsOf(this.child.pid);
  }

  /** SIGKILLs whatever is left (a failed test must not leave processes behind). */
  killAll(): void {
    for (const pid of new Set([...this.descendants(), ...this.seen, this.child.pid ?? 0].filter((pid) => pid && isAlive(pid)))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

/** Children of every thread of `pid`, recursively (Linux /proc). */
function descendantsOf(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      children.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    return [];
  }
  children = [...new Set(children)];
  return [...children, ...children.flatMap(descendantsOf)];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by its parent) is not running.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
