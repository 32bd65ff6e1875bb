import { freePort } from '@async2/testing';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'tools', 'local-kafka', 'kafka.mjs');

/**
 * A broker of the test's own (the shared test broker must not be killed): the local-kafka CLI with
 * its own data dir and ports, so it can be SIGKILLed, SIGSTOPped and restarted on the same data.
 */
export class OwnBroker {
  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly scram: string | undefined,
  ) {}

  /** `scram: 'user:password'` adds a SASL/SCRAM-SHA-256 listener (saslBrokers) with that user. */
  static async start(options: { scram?: string } = {}): Promise<OwnBroker> {
    // The controller listens on port + 1 and the SASL listener on port + 2: pick a port whose successors are free too.
    let port = await freePort();
    while (!(await isFree(port + 1)) || !(await isFree(port + 2))) port = await freePort();
    const broker = new OwnBroker(port, join(mkdtempSync(join(tmpdir(), 'async2-broker-')), 'data'), options.scram);
    await broker.launch();
    return broker;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** The SASL/SCRAM listener (only with `scram`). */
  get saslBrokers(): string[] {
    return [`127.0.0.1:${this.port + 2}`];
  }

  get pid(): number {
    return Number(readFileSync(join(dirname(this.dataDir), 'broker.pid'), 'utf8').trim());
  }

  /** Starts (or restarts, on the same data) and waits until it answers. */
  launch(): Promise<void> {
    return this.cli('start');
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  async killHard(): Promise<void> {
    const pid = this.pid;
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }

  async stop(): Promise<void> {
    try {
      this.signal('SIGCONT');
    } catch {
      // not running
    }
    await this.cli('stop');
    rmSync(dirname(this.dataDir), { recursive: true, force: true });
  }

  /** Runs the CLI without blocking the event loop (a workload keeps running meanwhile). */
  private cli(command: 'start' | 'stop'): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, command], {
        env: { ...process.env, KAFKA_LOCAL_PORT: String(this.port), KAFKA_LOCAL_DATA_DIR: this.dataDir, KAFKA_LOCAL_SCRAM: this.scram ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`local-kafka ${command} failed (${code}): ${output}`))));
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
