// `npm start`: the whole pipeline on this machine. Builds the apps, starts the local Kafka broker
// when KAFKA_BROKERS is unset, an embedded PostgreSQL when DATABASE_URL is unset and none answers on
// 127.0.0.1:5432, makes sure the database exists, runs the producer and one consumer
// owning every partition (migrations run as they boot), and prints where everything is.
// However it is stopped (Ctrl-C, kill, a closed terminal, npm killed), it stops the apps gracefully
// (the consumer flushes and commits), then the broker it started (tools/start/stop-on-exit.mjs).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { build } from '../build/build.mjs';
import { ensureLocalKafka } from '../local-kafka/kafka.mjs';
import { ensureLocalPostgres } from '../local-postgres/postgres.mjs';
import { connect } from 'node:net';
import { forwardAppOutput } from './app-output.mjs';
import { stopOnExit } from './stop-on-exit.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const say = (msg) => console.log(`[start] ${msg}`);
const DATABASE_NAME = 'async2';

/** Creates the database named in DATABASE_URL if the server lacks it (the role needs CREATEDB). */
async function ensureDatabase(url) {
  const { Client } = require('pg');
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${target.host} (${error.message}); start it or set DATABASE_URL`);
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      say(`creating database ${name}`);
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
function portAnswers(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answers) => (socket.destroy(), resolve(answers));
    socket.setTimeout(1000, () => done(false)).once('connect', () => done(true)).once('error', () => done(false));
  });
}

/**
 * DATABASE_URL when set; else the server on 127.0.0.1:POSTGRES_LOCAL_PORT (5432) when one answers;
 * else a PostgreSQL of our own from npm on that port (tools/local-postgres), stopped with the rest.
 */
async function chooseDatabase() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL };
  const port = Number(process.env.POSTGRES_LOCAL_PORT ?? 5432);
  if (await portAnswers(port)) return { url: `postgres://postgres@127.0.0.1:${port}/${DATABASE_NAME}` };
  say(`nothing answers on 127.0.0.1:${port} and DATABASE_URL is unset: starting an embedded PostgreSQL`);
  const local = await lifecycle.run(() => ensureLocalPostgres({ port, dataDir: process.env.POSTGRES_LOCAL_DATA_DIR || undefined, log: (m) => console.log(m) }));
  lifecycle.onStop(() => local.stop());
  return { url: `${local.url}/${DATABASE_NAME}`, embedded: `embedded PostgreSQL from npm, log ${local.logFile}; stopped with the rest` };
}

// Loaded ahead of each app: starts OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set, else nothing.
const TRACING_PRELOAD = join(root, 'dist', 'libs', 'platform', 'src', 'telemetry', 'tracing.preload.js');

/** Where traces go, in words (the same rule as libs/platform/src/telemetry/tracing-settings.ts). */
function tracingDestination() {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || process.env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') return 'off (set OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://127.0.0.1:4318 for Jaeger, to send traces)';
  return `OTLP/HTTP to ${endpoint} as services "producer" and "consumer"`;
}

function runApp(name, env) {
  const child = spawn(process.execPath, ['--require', TRACING_PRELOAD, join(root, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: root,
    env: { ...process.env, OTEL_SERVICE_NAME: name, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C and a closed terminal signal this script only, which then stops
    // the apps one way (SIGTERM, once) and in order; a second signal would make an app exit at once.
    detached: true,
  });
  forwardAppOutput(name, child);
  return child;
}

async function waitReady(name, url, child, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    const ok = await fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
}

/** SIGTERM, and the exit: the app's own handler stops intake, flushes and commits, then exits. */
function stopApp(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

const lifecycle = stopOnExit({ log: say });

async function main() {
  // --no-build: dist/ is already built (the tests that run this script build once, before).
  if (!process.argv.includes('--no-build')) build({ log: say });
  const database = await chooseDatabase();
  const databaseUrl = database.url;
  await lifecycle.run(() => ensureDatabase(databaseUrl));

  let kafka;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    kafka = await lifecycle.run(() => ensureLocalKafka({ dataDir: process.env.KAFKA_LOCAL_DATA_DIR || undefined, log: (m) => console.log(m) }));
    if (kafka.started) lifecycle.onStop(() => kafka.stop());
    brokers = kafka.brokers;
  }
  const producerPort = process.env.PRODUCER_PORT ?? '3000';
  const consumerPort = process.env.CONSUMER_PORT ?? '3001';
  const shared = { DATABASE_URL: databaseUrl, KAFKA_BROKERS: brokers };
  const producer = runApp('producer', { ...shared, PORT: producerPort });
  const consumer = runApp('consumer', { ...shared, PORT: consumerPort, PARTITIONS: process.env.PARTITIONS ?? 'all' });
  const apps = [producer, consumer];
  lifecycle.onStop(() => {
    say('stopping the apps (the consumer flushes and commits first)');
    return Promise.all(apps.map(stopApp));
  });
  // An app that refuses to start (the consumer with CLAIM_REFUSED after a fresh broker on a kept
  // database, for one) printed its reason and the ways out just above: never skip, never wipe.
  for (const child of apps) child.once('exit', (code) => !lifecycle.stopping && void lifecycle.stop(`an app exited (code ${code}), its last lines above say why; stopping`, 1));

  const producerUrl = `http://127.0.0.1:${producerPort}`;
  await waitReady('producer', producerUrl, producer);
  await waitReady('consumer', `http://127.0.0.1:${consumerPort}`, consumer);
  console.log(`
  ASYNC2 is running
    producer   ${producerUrl}   (POST /v1/events, POST /v1/events:batch, GET /v1/entities/:id[?consistency=fresh], GET /v1/changes)
    gRPC       127.0.0.1:${process.env.GRPC_PORT ?? '50051'}   (events.v1.EventService: Publish, PublishBatch, PublishStream, Get; health, reflection)
    consumer   http://127.0.0.1:${consumerPort}/health/ready   (owns every partition)
    metrics    ${producerUrl}/metrics   http://127.0.0.1:${consumerPort}/metrics   (Prometheus; dashboard and alerts in helm/async2/files/)
    kafka      ${brokers}${kafka ? ` (local broker, log ${kafka.logFile})` : ''}
    postgres   ${databaseUrl.replace(/\/\/[^@]*@/, '//')}${database.embedded ? ` (${database.embedded})` : ''}
    tracing    ${tracingDestination()}

  Try it:
    curl -s -XPOST ${producerUrl}/v1/events -H 'content-type: application/json' \\
      -d '{"id":"user-1","op":"set","data":{"name":"Ada","visits":1}}'
    curl -s "${producerUrl}/v1/entities/user-1?after=<token from the answer>"

  Ctrl-C (or kill ${process.pid}) stops everything.
`);
}

main().catch((error) => {
  console.error(`[start] ${error.message}`);
  void lifecycle.stop('stopping what was started', 1);
});
