#!/usr/bin/env node
// The flush with and without the change outbox, same run, same database, alternating rounds: the
// cost the change stream adds to the consumer's one-transaction flush (rows/s, median of ROUNDS).
// Uses the built data-access lib (`npm run build` first) and a fresh database it drops at the end.
//   node tools/bench/flush-outbox.mjs
// Env: ROWS (per flush, default 5000), FLUSHES (per round and variant, 10), ROUNDS (5), IDS (50000),
//      DATABASE_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
require('reflect-metadata');
const pg = require('pg');
const { DataSource } = require('typeorm');
const { FlushWriter, OplogRepository, dataSourceOptions, runMigrations } = require(join(root, 'dist/libs/data-access/src/index.js'));

const ROWS = Number(process.env.ROWS ?? 5000);
const FLUSHES = Number(process.env.FLUSHES ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const IDS = Number(process.env.IDS ?? 50_000);
const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const name = `async2_bench_outbox_${process.pid}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
const dataSource = new DataSource(dataSourceOptions({ url: url.toString(), poolSize: 4, applicationName: 'bench' }));
try {
  await dataSource.initialize();
  await runMigrations(dataSource);
  const key = { consumerGroup: 'bench', topic: 'bench' };
  const { epoch } = await new OplogRepository(dataSource).claim(key, 0, 'bench');
  const writers = { 'flush + outbox': new FlushWriter(dataSource), 'flush alone': new FlushWriter(dataSource, { changeOutbox: false }) };
  const figures = Object.fromEntries(Object.keys(writers).map((k) => [k, []]));
  let offset = 0;
  let version = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [variant, writer] of Object.entries(writers)) {
      const started = process.hrtime.bigint();
      for (let f = 0; f < FLUSHES; f++) {
        version++;
        const records = Array.from({ length: ROWS }, (_, i) => ({
          id: `bench-${(f * ROWS + i) % IDS}`,
          state: { name: `n${i}`, visits: version, tags: ['a', 'b'] },
          deleted: false,
          version,
          partition: 0,
          lastOffset: offset + i,
          eventTs: Date.now(),
          recentEventIds: [`e-${version}-${i}`],
        }));
        offset += ROWS;
        await writer.commit({ key, partition: 0, epoch, nextOffset: offset, records });
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      figures[variant].push((ROWS * FLUSHES) / seconds);
      await dataSource.query('TRUNCATE change_outbox'); // the relay's work, outside the timing
    }
  }
  const alone = median(figures['flush alone']);
  const withOutbox = median(figures['flush + outbox']);
  console.log(`rows per flush ${ROWS}, flushes per round ${FLUSHES}, rounds ${ROUNDS} (median)`);
  console.log(`flush alone     ${alone.toFixed(0).padStart(8)} rows/s`);
  console.log(`flush + outbox  ${withOutbox.toFixed(0).padStart(8)} rows/s   ${(withOutbox / alone).toFixed(2)}x`);
} finally {
  await dataSource.destroy().catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
