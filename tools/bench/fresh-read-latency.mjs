#!/usr/bin/env node
// Write-then-read latency with `after`: consistency=fresh (the owning consumer's memory) versus the
// default database read, on the same producer and consumer, same run, interleaved. Starts the built
// apps (dist/, `npm run build` first) on a fresh topic and database and prints p50/p99 per level.
//   KAFKA_BROKERS=127.0.0.1:9092 node tools/bench/fresh-read-latency.mjs
// Env: READS (per level, default 300), FLUSH_INTERVAL_MS (the consumer's, default 1000),
//      DATABASE_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres).
// Each sample: POST /v1/events (an incr), then GET /v1/entities/:id?after=<token>[&consistency=fresh];
// the time is from sending the write to receiving the read's answer, which must show the write.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const pg = require('pg');

const READS = Number(process.env.READS ?? 300);
const FLUSH_INTERVAL_MS = process.env.FLUSH_INTERVAL_MS ?? '1000';
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const percentile = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };

function start(app, port, env) {
  const child = spawn(process.execPath, [join(root, `dist/apps/${app}/src/main.js`)], { env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'] });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function ready(url) {
  for (let i = 0; i < 600; i++) {
    if ((await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

async function writeThenRead(url, id, n, fresh) {
  const t0 = process.hrtime.bigint();
  const write = await fetch(`${url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, op: 'set', data: { n } }) });
  if (write.status !== 202) throw new Error(`write answered ${write.status}`);
  const { token } = await write.json();
  const read = await fetch(`${url}/v1/entities/${id}?after=${token}${fresh ? '&consistency=fresh' : ''}`);
  const body = await read.json();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (read.status !== 200 || body.state.n !== n) throw new Error(`read answered ${read.status} ${JSON.stringify(body)}`);
  return { ms, source: body.source };
}

async function main() {
  const db = `async2_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${db}`;
  const [producerPort, consumerPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const common = { KAFKA_BROKERS: BROKERS, KAFKA_TOPIC: `bench-${randomBytes(4).toString('hex')}`, DATABASE_URL: dbUrl.toString() };
  const producer = start('producer', producerPort, { ...common, GRPC_PORT: String(grpcPort), CONSUMER_READ_URL_TEMPLATE: `http://127.0.0.1:${consumerPort}` });
  const apps = [producer];
  try {
    await ready(producer.url); // creates the topic
    const consumer = start('consumer', consumerPort, { ...common, PARTITIONS: 'all', FLUSH_INTERVAL_MS });
    apps.push(consumer);
    await ready(consumer.url);
    const samples = { fresh: [], database: [] };
    const sources = { fresh: new Map(), database: new Map() };
    for (let i = 0; i < 20; i++) await writeThenRead(producer.url, `warm-${i}`, i, i % 2 === 0);
    for (let i = 0; i < READS * 2; i++) {
      const level = i % 2 === 0 ? 'fresh' : 'database';
      const { ms, source } = await writeThenRead(producer.url, `lat-${i % 50}`, i, level === 'fresh');
      samples[level].push(ms);
      sources[level].set(source, (sources[level].get(source) ?? 0) + 1);
    }
    console.log(`write-then-read with after=, ${READS} samples per level, interleaved, FLUSH_INTERVAL_MS=${FLUSH_INTERVAL_MS}:`);
    for (const level of ['fresh', 'database']) {
      const xs = samples[level];
      const answered = [...sources[level]].map(([s, c]) => `${s}:${c}`).join(' ');
      console.log(`${(level === 'fresh' ? 'consistency=fresh' : 'eventual (database)').padEnd(20)} p50 ${percentile(xs, 50).toFixed(1)} ms  p99 ${percentile(xs, 99).toFixed(1)} ms  (answered from ${answered})`);
    }
  } finally {
    for (const { child } of apps.reverse()) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
