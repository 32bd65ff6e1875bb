import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';

const LOCAL_KAFKA = join(__dirname, '..', '..', 'tools', 'local-kafka');
const EXIT_LINE = /\0exit (\d+)\n/;

/**
 * Kafka's command-line tools (kafka-tools, the broker's jars) in one warm JVM
 * (tools/local-kafka/ToolRunner.java): a call costs milliseconds instead of a JVM start, so a test
 * can move leaders every few seconds on a small box. Calls run one at a time, in order.
 */
export class KafkaTools {
  private output = '';
  private pending?: { resolve(output: string): void; reject(error: Error): void };
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      this.settle();
    });
    child.stderr.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.on('close', (code) => this.pending?.reject(new Error(`the Kafka tool runner exited (${code}): ${this.output}`)));
  }

  static start(): KafkaTools {
    return new KafkaTools(spawn(process.execPath, [join(LOCAL_KAFKA, 'kafka.mjs'), 'run', join(LOCAL_KAFKA, 'ToolRunner.java')], { stdio: 'pipe' }));
  }

  /** Runs a tool's main class; resolves with its output, rejects with it when the tool exits non-zero. */
  run(mainClass: string, args: string[]): Promise<string> {
    const call = this.queue.then(
      () =>
        new Promise<string>((resolve, reject) => {
          this.pending = { resolve, reject };
          this.child.stdin.write(`${[mainClass, ...args].join('\t')}\n`);
        }),
    );
    this.queue = call.catch(() => undefined);
    return call;
  }

  /** Ends the runner (end of its stdin) and waits for it. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await closed;
    clearTimeout(timer);
  }

  private settle(): void {
    const match = EXIT_LINE.exec(this.output);
    if (!match || !this.pending) return;
    const output = this.output.slice(0, match.index);
    const { resolve, reject } = this.pending;
    this.output = this.output.slice(match.index + match[0].length);
    this.pending = undefined;
    if (match[1] === '0') resolve(output);
    else reject(new Error(`exit ${match[1]}: ${output.trim()}`));
  }
}
