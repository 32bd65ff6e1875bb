// EVENTS rows as the domain's EntityRecord, read and written with one statement each (arrays
// through unnest), for the seed's SYNC and ASYNC1 designs. Same table as the app's (its migrations),
// same fold (the domain's applyEvent, from dist/).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../lib/services.mjs';

const require = createRequire(import.meta.url);
export const domain = require(join(ROOT, 'dist/libs/domain/src/index.js'));

/** How many recent eventIds a row keeps (the consumer's default K). */
export const DEDUPE_WINDOW = 16;

const COLUMNS = `id, state, deleted, version::text AS version, partition, last_offset::text AS last_offset,
  (extract(epoch FROM event_ts) * 1000)::float8 AS event_ts_ms, recent_event_ids`;

/** The stored records of `ids` (sorted), locked FOR UPDATE when `lock`; absent IDs are absent. */
export async function loadRecords(client, ids, { lock = false } = {}) {
  const { rows } = await client.query(`SELECT ${COLUMNS} FROM events WHERE id = ANY($1::text[]) ORDER BY id${lock ? ' FOR UPDATE' : ''}`, [ids]);
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, state: r.state, deleted: r.deleted, version: Number(r.version), partition: r.partition, lastOffset: Number(r.last_offset), eventTs: Math.round(r.event_ts_ms), recentEventIds: r.recent_event_ids },
    ]),
  );
}

/** Upserts the records, one statement. */
export async function writeRecords(client, records) {
  const cols = [[], [], [], [], [], [], [], []];
  for (const r of records) {
    cols[0].push(r.id);
    cols[1].push(r.state === null ? null : JSON.stringify(r.state));
    cols[2].push(r.deleted);
    cols[3].push(r.version);
    cols[4].push(r.partition);
    cols[5].push(r.lastOffset);
    cols[6].push(r.eventTs);
    cols[7].push(JSON.stringify(r.recentEventIds));
  }
  await client.query(
    `INSERT INTO events AS e (id, state, deleted, version, partition, last_offset, event_ts, updated_at, recent_event_ids)
     SELECT u.id, u.state, u.deleted, u.version, u.partition, u.last_offset, to_timestamp(u.ts / 1000.0), now(), u.recent
     FROM unnest($1::text[], $2::jsonb[], $3::bool[], $4::bigint[], $5::int[], $6::bigint[], $7::float8[], $8::jsonb[])
       AS u(id, state, deleted, version, partition, last_offset, ts, recent)
     ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, deleted = EXCLUDED.deleted, version = EXCLUDED.version,
       partition = EXCLUDED.partition, last_offset = EXCLUDED.last_offset, event_ts = EXCLUDED.event_ts,
       updated_at = EXCLUDED.updated_at, recent_event_ids = EXCLUDED.recent_event_ids`,
    cols,
  );
}

/** Applies the events in order onto the loaded records (absent IDs start empty); returns the changed ones. */
export function foldEvents(stored, events, offsetOf) {
  const changed = new Map();
  events.forEach((event, i) => {
    let record = changed.get(event.id) ?? stored.get(event.id);
    if (!record) record = domain.emptyRecord(event.id, 0);
    const outcome = domain.applyEvent(record, event, offsetOf(event, i), DEDUPE_WINDOW);
    if (outcome.kind === 'applied') changed.set(event.id, record);
  });
  return [...changed.values()];
}
