import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

const ROOT = join(__dirname, '..', '..', '..');
/** Loaded ahead of every app, as in production: starts OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
export const TRACING_PRELOAD = join(ROOT, 'dist', 'libs', 'platform', 'src', 'telemetry', 'tracing.preload.js');

export interface AppProcess {
  name: string;
  url: string;
  child: ChildProcess;
  logs: string[];
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string | null>;
  /**
   * The exit code (or signal's name) if the process ends within `timeoutMs`, else 'still running'.
   * Its timer is cleared either way: a timer left behind would keep the test process alive after
   * its last test (and `npm test` counts a test process that does not exit as a failure).
   */
  exitedWithin(timeoutMs: number): Promise<number | string | null>;
  /** Sends a signal and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string | null>;
}

/**
 * Starts a built app (dist/apps/<name>/src/main.js) as a process, the way users run it, and waits
 * until its readiness endpoint answers 200.
 */
export async function startApp(name: 'producer' | 'consumer', port: number, env: Record<string, string>, readyTimeoutMs = 60_000): Promise<AppProcess> {
  // The producer's gRPC listener defaults to 50051: tests running side by side must not share it.
  const withGrpcPort = name === 'producer' && env.GRPC_PORT === undefined ? { ...env, GRPC_PORT: String(await freePort()) } : env;
  const app = spawnApp(name, port, withGrpcPort);
  try {
    await waitUntilReady(app, readyTimeoutMs);
  } catch (error) {
    await app.stop('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- ${name} log ---\n${app.logs.slice(-40).join('\n')}`);
  }
  return app;
}

/** Waits until the app's readiness endpoint answers 200; rejects if the process exits first. */
export async function waitUntilReady(app: AppProcess, timeoutMs = 60_000): Promise<void> {
  const done = new AbortController();
  const ready = waitFor(
    async () => {
      const response = await fetch(`${app.url}/health/ready`).catch(() => undefined);
      return response?.status === 200;
    },
    { timeoutMs, intervalMs: 100, what: `${app.name} to be ready`, signal: done.signal },
  );
  ready.catch(() => undefined); // the race below reports whichever comes first
  try {
    await Promise.race([ready, app.exited.then((code) => Promise.reject(new Error(`${app.name} exited with ${code} before it was ready`)))]);
  } finally {
    done.abort(); // an app that exited first: stop polling it
  }
}

/** Starts a built app as a process without waiting for it (fault tests kill apps while they start). */
export function spawnApp(name: 'producer' | 'consumer', port: number, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, ['--require', TRACING_PRELOAD, join(ROOT, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', OTEL_SERVICE_NAME: name, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // 'close', not 'exit': it comes after the output was read, so a test that checks the last log lines
  // of a process that died (a fail point's line before SIGKILL) finds them.
  const exited = new Promise<number | string | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  const app: AppProcess = {
    name,
    url,
    child,
    logs,
    exited,
    async exitedWithin(timeoutMs: number) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running'), timeoutMs)));
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
  return app;
}
