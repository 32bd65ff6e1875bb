import { freePortFollowedBy } from './free-port';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'tools', 'local-kafka', 'kafka.mjs');

/**
 * A broker of the test's own (the shared test broker must not be killed): the local-kafka CLI with
 * its own data dir and ports, so it can be SIGKILLed, SIGSTOPped and restarted on the same data.
 */
export class OwnBroker {
  /** `env` adds the CLI's other settings (KAFKA_LOCAL_SCRAM, or a cluster node's KAFKA_LOCAL_NODE_ID ...). */
  constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly env: Record<string, string> = {},
  ) {}

  /** `scram: 'user:password'` adds a SASL/SCRAM-SHA-256 listener (saslBrokers) with that user. */
  static async start(options: { scram?: string } = {}): Promise<OwnBroker> {
    // The controller listens on port + 1 and the SASL listener on port + 2: pick a port whose successors are free too.
    const port = await freePortFollowedBy(2);
    const broker = new OwnBroker(port, join(mkdtempSync(join(tmpdir(), 'async2-broker-')), 'data'), { KAFKA_LOCAL_SCRAM: options.scram ?? '' });
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
  async launch(): Promise<void> {
    await this.cli('start');
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  async killHard(): Promise<void> {
    const pid = this.pid;
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  }

  /** SIGKILL if it runs (also when stopped), without waiting for a clean shutdown. */
  async kill(): Promise<void> {
    try {
      await this.killHard();
    } catch {
      // not running
    }
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

  private cli(command: 'start' | 'stop'): Promise<string> {
    return localKafka([command], { KAFKA_LOCAL_PORT: String(this.port), KAFKA_LOCAL_DATA_DIR: this.dataDir, KAFKA_LOCAL_SCRAM: '', ...this.env });
  }
}

/** Runs the local-kafka CLI without blocking the event loop (a workload keeps running meanwhile); resolves with its output. */
export function localKafka(args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`local-kafka ${args.join(' ')} failed (${code}): ${output}`))));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
