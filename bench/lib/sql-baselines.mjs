// The flush baselines: what PostgreSQL does on its own, server-side, for `rows` rows shaped like
// EVENTS rows: INSERT ... SELECT ... ON CONFLICT DO UPDATE over existing keys (the flush's steady
// state), and COPY into an empty table (the fastest way in; no upsert). Same database, same server.
import { randomBytes } from 'node:crypto';
import { withClient } from './services.mjs';

const COLUMNS = 'id, state, deleted, version, partition, last_offset, event_ts, updated_at, recent_event_ids';
const GENERATED = `SELECT 'b-' || g, jsonb_build_object('n', g), false, g::bigint, 0, g::bigint, now(), now(), '[]'::jsonb FROM generate_series(1, $1::int) g`;
const UPSERT = `INSERT INTO bench_upsert AS e (${COLUMNS}) ${GENERATED}
  ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, deleted = EXCLUDED.deleted, version = EXCLUDED.version,
    partition = EXCLUDED.partition, last_offset = EXCLUDED.last_offset, event_ts = EXCLUDED.event_ts,
    updated_at = EXCLUDED.updated_at, recent_event_ids = EXCLUDED.recent_event_ids`;

const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;

/** Rows/s of the server-side upsert and of COPY, each the best of `runs` statements of `rows` rows. */
export async function sqlBaselines(dbUrl, { rows, runs = 3 }) {
  return withClient(dbUrl, async (client) => {
    // EVENTS' storage parameters too (its fillfactor): LIKE copies none, and the baseline is the same table.
    const { rows: [{ reloptions }] } = await client.query("SELECT reloptions FROM pg_class WHERE oid = 'events'::regclass");
    const storage = reloptions ? ` WITH (${reloptions.join(', ')})` : '';
    await client.query(`CREATE TABLE bench_upsert (LIKE events INCLUDING ALL)${storage}`);
    await client.query(`CREATE TABLE bench_copy (LIKE events INCLUDING ALL)${storage}`);
    await client.query(UPSERT, [rows]); // the keys exist from here on, as they do in a steady flush
    const upserts = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      await client.query(UPSERT, [rows]);
      upserts.push(rows / seconds(t0));
    }
    // A file on the server's side (its own /tmp), written and read by the server itself.
    const file = `/tmp/async2-bench-copy-${randomBytes(4).toString('hex')}.csv`;
    await client.query(`COPY (${GENERATED.replace('$1::int', String(Number(rows)))}) TO '${file}' WITH (FORMAT csv)`);
    const copies = [];
    try {
      for (let i = 0; i < runs; i++) {
        await client.query('TRUNCATE bench_copy');
        const t0 = process.hrtime.bigint();
        await client.query(`COPY bench_copy (${COLUMNS}) FROM '${file}' WITH (FORMAT csv)`);
        copies.push(rows / seconds(t0));
      }
    } finally {
      await client.query(`COPY (SELECT 1) TO PROGRAM 'rm -f ${file}'`);
    }
    await client.query('DROP TABLE bench_upsert, bench_copy');
    return { upsert: Math.max(...upserts), copy: Math.max(...copies) };
  });
}
