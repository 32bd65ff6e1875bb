#!/usr/bin/env node
// PublishStream (gRPC) versus POST /v1/events:batch (HTTP) on the same producer, same run, same
// events. Starts the built producer (dist/, `npm run build` first) on a fresh topic and database and
// prints events/s per scenario (median of ROUNDS alternating rounds).
//   KAFKA_BROKERS=127.0.0.1:9092 node tools/bench/grpc-vs-http.mjs
// Env: EVENTS (per round, default 50000), ROUNDS (3), HTTP_BATCH (500), HTTP_CONCURRENCY (8),
//      GRPC_STREAMS (4), DATABASE_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');
const pg = require('pg');
const { loadEventsPackageDefinition } = require(join(root, 'dist/libs/events-proto/src/index.js'));

const EVENTS = Number(process.env.EVENTS ?? 50_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const HTTP_BATCH = Number(process.env.HTTP_BATCH ?? 500);
const HTTP_CONCURRENCY = Number(process.env.HTTP_CONCURRENCY ?? 8);
const GRPC_STREAMS = Number(process.env.GRPC_STREAMS ?? 4);
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const events = (round, tag) => Array.from({ length: EVENTS }, (_, i) => ({ id: `bench-${i % 10_000}`, op: 'incr', data: { n: 1 }, eventId: `${tag}-${round}-${i}` }));

async function httpBatch(url, list) {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const chunk = list.slice(next, (next += HTTP_BATCH));
      const response = await fetch(`${url}/v1/events:batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: chunk }) });
      if (response.status !== 202) throw new Error(`HTTP batch answered ${response.status}: ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, worker));
}

function grpcStream(client, list) {
  const share = Math.ceil(list.length / GRPC_STREAMS);
  return Promise.all(
    Array.from({ length: GRPC_STREAMS }, async (_, s) => {
      const mine = list.slice(s * share, (s + 1) * share);
      const call = client.PublishStream();
      let answers = 0;
      const done = new Promise((resolve, reject) => {
        call.on('data', (r) => { if (r.status !== 'RESULT_STATUS_ACCEPTED') reject(new Error(`stream answered ${r.status}`)); answers += 1; });
        call.on('end', () => (answers === mine.length ? resolve() : reject(new Error(`${answers} answers for ${mine.length} events`))));
        call.on('error', reject);
      });
      for (const e of mine) {
        if (!call.write({ id: e.id, op: 'OP_INCR', data: JSON.stringify(e.data), eventId: e.eventId })) await new Promise((r) => call.once('drain', r));
      }
      call.end();
      await done;
    }),
  );
}

async function main() {
  const db = `async2_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${db}`;
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const producer = spawn(process.execPath, [join(root, 'dist/apps/producer/src/main.js')], {
    env: { ...process.env, KAFKA_BROKERS: BROKERS, KAFKA_TOPIC: `bench-${randomBytes(4).toString('hex')}`, DATABASE_URL: dbUrl.toString(), PORT: String(httpPort), GRPC_PORT: String(grpcPort), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    for (let i = 0; ; i++) {
      if ((await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200) break;
      if (i > 600) throw new Error('the producer did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const Service = grpc.loadPackageDefinition(loadEventsPackageDefinition()).events.v1.EventService;
    const client = new Service(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
    await httpBatch(url, events(0, 'warm-http').slice(0, 5000));
    await grpcStream(client, events(0, 'warm-grpc').slice(0, 5000));
    const rates = { http: [], grpc: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, run] of [['http', (list) => httpBatch(url, list)], ['grpc', (list) => grpcStream(client, list)]]) {
        const list = events(round, name);
        const t0 = process.hrtime.bigint();
        await run(list);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        rates[name].push(EVENTS / seconds);
        console.log(`round ${round} ${name.padEnd(4)} ${Math.round(EVENTS / seconds)} events/s`);
      }
    }
    client.close();
    const http = median(rates.http);
    const stream = median(rates.grpc);
    console.log(`\n${EVENTS} events per round, median of ${ROUNDS} rounds:`);
    console.log(`HTTP POST /v1/events:batch (${HTTP_BATCH}/request, ${HTTP_CONCURRENCY} concurrent)  ${Math.round(http)} events/s`);
    console.log(`gRPC PublishStream (${GRPC_STREAMS} streams)                          ${Math.round(stream)} events/s  (${(stream / http).toFixed(2)}x HTTP batch)`);
  } finally {
    producer.kill('SIGTERM');
    await new Promise((r) => producer.once('exit', r));
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
