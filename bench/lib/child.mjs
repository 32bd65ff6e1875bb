// Runs a bench worker as its own process (load generators never share the measured process or the
// orchestrator's event loop). The worker gets its job as JSON in argv[2] and prints its result as
// the last stdout line, JSON.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKERS = join(dirname(fileURLToPath(import.meta.url)), '..', 'workers');

export function runWorker(name, job, { nodeArgs = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', ...nodeArgs, join(WORKERS, `${name}.mjs`), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`worker ${name} exited with ${code}:\n${err.slice(-2000)}${out.slice(-1000)}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`worker ${name} printed no JSON result:\n${out.slice(-1000)}\n${err.slice(-1000)}`));
      }
    });
  });
}

/** Worker side: reads the job and prints the result (or the error, exit 1). */
export function workerMain(work) {
  const job = JSON.parse(process.argv[2] ?? '{}');
  work(job).then(
    (result) => {
      process.stdout.write(`\n${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error) => {
      console.error(error?.stack ?? error);
      process.exit(1);
    },
  );
}
