#!/usr/bin/env node
// The flush's upsert with its rows sent three ways, same rows, same database, alternating rounds:
// ten arrays through unnest (each serialised by pg as an array literal), one json array of objects
// read by json_to_recordset (what the flush sent first), and one json array of positional rows read
// by json_array_elements (event-rows.ts: what the flush sent next, and the rebuild's shadow still
// sends; the flush COPYs its rows now, timed by flush-breakdown.mjs). Each inside BEGIN/COMMIT.
// Prints the median time per flush and rows/s of each. Uses the built data-access lib for the
// schema (`npm run build` first) and a fresh database it drops at the end.
//   node tools/bench/flush-encoding.mjs
// Env: ROWS (per flush, default 5000), ROUNDS (9), DATABASE_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres).
import { createRequire } from 'node:module';
import { fromDist, median, withMigratedDatabase } from './bench-database.mjs';

const { eventRowsFrom, eventRowsJson } = fromDist('libs/data-access/src/persistence/event-rows.js');
const pg = createRequire(import.meta.url)('pg');

const ROWS = Number(process.env.ROWS ?? 5000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);

const SET = `ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, deleted = EXCLUDED.deleted, version = EXCLUDED.version,
  partition = EXCLUDED.partition, last_offset = EXCLUDED.last_offset, event_ts = EXCLUDED.event_ts,
  updated_at = EXCLUDED.updated_at, recent_event_ids = EXCLUDED.recent_event_ids, field_times = EXCLUDED.field_times,
  expires_at = EXCLUDED.expires_at WHERE e.version <= EXCLUDED.version`;
const INTO = `INSERT INTO events AS e (id, state, deleted, version, partition, last_offset, event_ts, updated_at, recent_event_ids, field_times, expires_at)
  SELECT u.id, u.state, u.deleted, u.version, u.partition, u.last_offset, to_timestamp(u.event_ts_ms / 1000.0), now(), u.recent_event_ids,
    u.field_times, to_timestamp(u.expires_at_ms / 1000.0)`;
const json = (value) => (value === undefined ? null : JSON.stringify(value));
const variants = {
  'unnest, 10 arrays': {
    sql: `${INTO} FROM unnest($1::text[], $2::jsonb[], $3::boolean[], $4::bigint[], $5::integer[], $6::bigint[], $7::float8[], $8::jsonb[], $9::jsonb[], $10::float8[])
      AS u(id, state, deleted, version, partition, last_offset, event_ts_ms, recent_event_ids, field_times, expires_at_ms) ${SET}`,
    params: (rs) => [rs.map((r) => r.id), rs.map((r) => json(r.state)), rs.map((r) => r.deleted), rs.map((r) => r.version), rs.map((r) => r.partition), rs.map((r) => r.lastOffset), rs.map((r) => r.eventTs), rs.map((r) => json(r.recentEventIds)), rs.map((r) => json(r.fieldTimes)), rs.map((r) => r.expiresAt ?? null)],
  },
  'json_to_recordset, objects': {
    sql: `${INTO} FROM json_to_recordset($1::json)
      AS u(id text, state jsonb, deleted boolean, version bigint, partition integer, last_offset bigint, event_ts_ms float8, recent_event_ids jsonb, field_times jsonb, expires_at_ms float8) ${SET}`,
    params: (rs) => [JSON.stringify(rs.map((r) => ({ id: r.id, state: r.state, deleted: r.deleted, version: r.version, partition: r.partition, last_offset: r.lastOffset, event_ts_ms: r.eventTs, recent_event_ids: r.recentEventIds, field_times: r.fieldTimes ?? null, expires_at_ms: r.expiresAt ?? null })))],
  },
  'json arrays (event-rows.ts)': {
    sql: `${INTO} FROM ${eventRowsFrom('$1')} ${SET}`,
    params: (rs) => [eventRowsJson(rs)],
  },
};

await withMigratedDatabase('async2_bench_encoding', 1, async (_dataSource, url) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const figures = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    let version = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [variant, { sql, params }] of Object.entries(variants)) {
        version++;
        const records = Array.from({ length: ROWS }, (_, i) => ({
          id: `bench-${i}`, state: { name: `n${i}`, visits: version, tags: ['a', 'b'] }, deleted: false, version,
          partition: 0, lastOffset: i, eventTs: Date.now(), recentEventIds: [`e-${version}-${i}`],
          ...(i % 2 === 0 ? { fieldTimes: { visits: Date.now() }, expiresAt: Date.now() + 60_000 } : {}),
        }));
        const started = performance.now();
        const values = params(records);
        await client.query('BEGIN');
        await client.query(sql, values);
        await client.query('COMMIT');
        if (round > 0) figures[variant].push(performance.now() - started); // round 0 warms up
      }
    }
    console.log(`rows per flush ${ROWS}, rounds ${ROUNDS} (median, parameters built + BEGIN + upsert + COMMIT)`);
    const base = median(Object.values(figures)[0]);
    for (const [variant, ms] of Object.entries(figures)) {
      const m = median(ms);
      console.log(`${variant.padEnd(28)} ${m.toFixed(1).padStart(7)} ms  ${((ROWS / m) * 1000).toFixed(0).padStart(8)} rows/s  ${(base / m).toFixed(2)}x`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
});
