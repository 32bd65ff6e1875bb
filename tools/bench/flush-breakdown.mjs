#!/usr/bin/env node
// Where a flush's time goes, same run, same database, alternating rounds (median ms per flush of ROWS
// rows, and rows/s):
//   rows in          the flush's rows alone: COPY text built, and COPYed into FLUSH_ROWS (flush-rows.ts)
//   flush alone      the flush transaction without the change outbox (FlushWriter, changeOutbox: false)
//   flush + outbox   the flush transaction as the consumer runs it
//   server upsert    PostgreSQL's own upsert of as many existing IDs into EVENTS itself, its rows made
//                    server-side (generate_series): the bench's flush baseline (bench/lib/sql-baselines.mjs)
// and the differences: what the outbox adds, and the flush without its rows' way in and outbox against
// the server's upsert. Uses the built data-access lib (`npm run build` first) and a fresh database it drops.
// With OTHER_DIST, also the flush + outbox of another build's FlushWriter (its dist/), on the same
// database and rows, alternating with this one's: a before/after of a change to the flush.
//   node tools/bench/flush-breakdown.mjs
//   OTHER_DIST=/tmp/before/dist RECENT_IDS=16 node tools/bench/flush-breakdown.mjs
// Env: ROWS (per flush, default 10000), ROUNDS (7), RECENT_IDS (eventIds each row remembers, UUID-sized;
//      default 1; the consumer keeps up to DEDUPE_WINDOW = 16 when clients send eventIds), OTHER_DIST,
//      DATABASE_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres).
import { fromDist, median, withMigratedDatabase } from './bench-database.mjs';

const { FlushWriter, OplogRepository } = fromDist('libs/data-access/src/index.js');
const { flushRowsCopyText, stageFlushRows } = fromDist('libs/data-access/src/persistence/flush-rows.js');

const ROWS = Number(process.env.ROWS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const RECENT_IDS = Number(process.env.RECENT_IDS ?? 1);
const OTHER_DIST = process.env.OTHER_DIST;

// The bench's baseline statement (sql-baselines.mjs), on EVENTS and on the IDs the flushes wrote.
const SERVER_UPSERT = `INSERT INTO events AS e (id, state, deleted, version, partition, last_offset, event_ts, updated_at, recent_event_ids)
  SELECT 'bench-' || g, jsonb_build_object('n', g), false, $2::bigint, 0, g::bigint, now(), now(), '[]'::jsonb FROM generate_series(0, $1::int - 1) g
  ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, deleted = EXCLUDED.deleted, version = EXCLUDED.version,
    partition = EXCLUDED.partition, last_offset = EXCLUDED.last_offset, event_ts = EXCLUDED.event_ts,
    updated_at = EXCLUDED.updated_at, recent_event_ids = EXCLUDED.recent_event_ids`;

await withMigratedDatabase('async2_bench_flush', 4, async (dataSource) => {
  const key = { consumerGroup: 'bench', topic: 'bench' };
  const { epoch } = await new OplogRepository(dataSource).claim(key, 0, 'bench');
  const withOutbox = new FlushWriter(dataSource);
  const withoutOutbox = new FlushWriter(dataSource, { changeOutbox: false });
  const other = OTHER_DIST && new (fromDist('libs/data-access/src/index.js', OTHER_DIST).FlushWriter)(dataSource);
  let offset = 0;
  let version = 0;
  // Every flush rewrites the same ROWS IDs (the steady state: the rows exist), each at a higher version.
  const batch = () => {
    version++;
    const records = Array.from({ length: ROWS }, (_, i) => ({
      id: `bench-${i}`,
      state: { name: `n${i}`, visits: version, tags: ['a', 'b'] },
      deleted: false,
      version,
      partition: 0,
      lastOffset: offset + i,
      eventTs: Date.now(),
      recentEventIds: Array.from({ length: RECENT_IDS }, (_, k) => `${String(version).padStart(8, '0')}-0000-4000-8000-${String(i * RECENT_IDS + k).padStart(12, '0')}`),
    }));
    offset += ROWS;
    return { key, partition: 0, epoch, nextOffset: offset, records };
  };
  const timed = async (work) => {
    const started = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const steps = {
    'rows in': async () => {
      const { records } = batch();
      const runner = dataSource.createQueryRunner();
      const client = await runner.connect();
      try {
        return await timed(async () => {
          const text = flushRowsCopyText(records);
          await runner.startTransaction();
          await stageFlushRows(runner, client, text);
          await runner.rollbackTransaction();
        });
      } finally {
        await runner.release();
      }
    },
    'flush alone': async () => {
      const flush = batch();
      return timed(() => withoutOutbox.commit(flush));
    },
    'flush + outbox': async () => {
      const flush = batch();
      return timed(() => withOutbox.commit(flush));
    },
    ...(other && {
      'flush + outbox, OTHER_DIST': async () => {
        const flush = batch();
        return timed(() => other.commit(flush));
      },
    }),
    'server upsert': async () => {
      version++;
      return timed(() => dataSource.query(SERVER_UPSERT, [ROWS, version]));
    },
  };
  for (const step of Object.values(steps)) await step(); // the rows exist from here on; warm caches
  await dataSource.query('TRUNCATE change_outbox');
  const ms = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [step, run] of Object.entries(steps)) ms[step].push(await run());
    await dataSource.query('TRUNCATE change_outbox'); // the relay's work, outside the timing
  }
  const m = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)]));
  const line = (label, value, note = '') => console.log(`${label.padEnd(40)} ${value.toFixed(1).padStart(8)} ms ${String(Math.round((ROWS * 1000) / value)).padStart(9)} rows/s  ${note}`);
  console.log(`${ROWS} rows per flush, ${RECENT_IDS} eventIds per row, ${ROUNDS} alternating rounds (median)`);
  for (const [step, value] of Object.entries(m)) line(step, value);
  console.log(`outbox (flush + outbox - flush alone)      ${(m['flush + outbox'] - m['flush alone']).toFixed(1).padStart(8)} ms`);
  const rest = m['flush alone'] - m['rows in'];
  console.log(`flush alone - rows in                      ${rest.toFixed(1).padStart(8)} ms   ${(m['server upsert'] / rest).toFixed(2)}x the server upsert's rows/s`);
  console.log(`flush + outbox against the server upsert                         ${(m['server upsert'] / m['flush + outbox']).toFixed(2)}x`);
  if (other) console.log(`flush + outbox against OTHER_DIST's                             ${(m['flush + outbox, OTHER_DIST'] / m['flush + outbox']).toFixed(2)}x the rows/s`);
});
