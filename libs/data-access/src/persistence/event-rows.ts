import type { EntityRecord } from '@async2/domain';

/*
 * EVENTS rows as ONE json parameter: an array of positional rows, [id, state, deleted, version,
 * partition, last_offset, event_ts_ms, recent_event_ids, field_times, expires_at_ms], read back by
 * `eventRowsFrom` as a row set with those column names. One JSON.stringify on the client, no
 * 65,535 bind-parameter cap, no array literals.
 *
 * Positional arrays read with json_array_elements, not objects read with json_to_recordset: in
 * EXPLAIN ANALYZE of a 10,000-row flush on PostgreSQL 15, json_to_recordset took 221 ms before its
 * first row (a hash table of every object's keys, each jsonb column re-parsed), json_array_elements
 * 8 ms; the whole upsert of those rows, 285.9 against 189.6 ms (tools/bench/flush-encoding.mjs, which
 * has both). JSON null reads as SQL NULL, as json_to_recordset read it: `->>` gives NULL for it,
 * and the jsonb columns map 'null' to NULL. The 8 ms are the scan alone: each `r->n` lexes the row's
 * text again from its start, so reading the ten columns of 10,000 rows costs 100-150 ms, more than
 * the upsert. The flush therefore COPYs its rows instead (flush-rows.ts).
 */

/** The row set of `parameter` (a json array from eventRowsJson), named `u`, with the columns above. */
export function eventRowsFrom(parameter: string): string {
  return `(SELECT r->>0 AS id, nullif((r->1)::jsonb, 'null') AS state, (r->>2)::boolean AS deleted,
      (r->>3)::bigint AS version, (r->>4)::integer AS partition, (r->>5)::bigint AS last_offset,
      (r->>6)::float8 AS event_ts_ms, (r->7)::jsonb AS recent_event_ids, nullif((r->8)::jsonb, 'null') AS field_times,
      (r->>9)::float8 AS expires_at_ms
    FROM json_array_elements(${parameter}::json) AS r) AS u`;
}

/** Records as the one json array eventRowsFrom reads (the rebuild's shadow writes with it; the flush COPYs: flush-rows.ts). */
export function eventRowsJson(records: readonly EntityRecord[]): string {
  const rows = records.map((r) => [
    r.id,
    r.deleted ? null : r.state,
    r.deleted,
    r.version,
    r.partition,
    r.lastOffset,
    r.eventTs,
    r.recentEventIds,
    r.fieldTimes ?? null,
    r.expiresAt ?? null,
  ]);
  return JSON.stringify(rows);
}
