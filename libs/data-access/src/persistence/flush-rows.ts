import type { EntityRecord } from '@async2/domain';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { QueryRunner } from 'typeorm';

/*
 * A flush's EVENTS rows travel by COPY into FLUSH_ROWS, a temporary table of the flush's own
 * transaction, and the flush statement reads them from there (flush-statement.ts).
 *
 * Why COPY: read from one json parameter, the rows cost PostgreSQL more than the upsert itself. Each
 * `r->n` on a json row lexes the row's text again from its start, ten times a row: for 10,000 rows,
 * 100-150 ms against ~60 ms for the upsert of the same rows (`node tools/bench/flush-breakdown.mjs`).
 * COPY parses each field once, with its type's input function.
 *
 * The table lives in the session's temporary schema and is emptied at every commit (ON COMMIT DELETE
 * ROWS); it is created inside the transaction if this session does not have it yet, so the flush
 * keeps no state on the connection that a pooler (PgBouncer in transaction mode) could lose, and a
 * flush rolled back takes its rows (and a table it created) with it. No catalog churn: created once
 * per session, not per flush.
 */

export const FLUSH_ROWS = 'pg_temp.flush_rows';

const CREATE_FLUSH_ROWS = `CREATE TEMPORARY TABLE IF NOT EXISTS flush_rows (
  id text NOT NULL, state jsonb, deleted boolean NOT NULL, version bigint NOT NULL, partition integer NOT NULL,
  last_offset bigint NOT NULL, event_ts_ms float8 NOT NULL, recent_event_ids jsonb NOT NULL, field_times jsonb, expires_at_ms float8
) ON COMMIT DELETE ROWS`;

// The columns in CREATE_FLUSH_ROWS's order, which flushRowsCopyText writes.
const COPY_FLUSH_ROWS = `COPY ${FLUSH_ROWS} FROM STDIN`;

const NULL = '\\N';
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text field of COPY's text format: the backslash, tab, newline and carriage return escaped. */
function field(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (ch) => ESCAPES[ch]);
}

function jsonField(value: unknown): string {
  return value === undefined || value === null ? NULL : field(JSON.stringify(value));
}

function numberField(value: number | null | undefined): string {
  return value === undefined || value === null ? NULL : String(value);
}

/** Records as COPY text, one line each, the columns in CREATE_FLUSH_ROWS's order. Built before BEGIN. */
export function flushRowsCopyText(records: readonly EntityRecord[]): string {
  let text = '';
  for (const r of records) {
    text += `${field(r.id)}\t${r.deleted ? NULL : jsonField(r.state)}\t${r.deleted}\t${r.version}\t${r.partition}\t${r.lastOffset}\t${numberField(r.eventTs)}\t${jsonField(r.recentEventIds)}\t${jsonField(r.fieldTimes)}\t${numberField(r.expiresAt)}\n`;
  }
  return text;
}

/**
 * Inside the flush's transaction, before its statement: FLUSH_ROWS if the session has none yet, and
 * the text from flushRowsCopyText (none: no rows) COPYed into it, on the runner's connection (`client`).
 */
export async function stageFlushRows(runner: QueryRunner, client: PoolClient, text: string | undefined): Promise<void> {
  await runner.query(CREATE_FLUSH_ROWS);
  if (text === undefined) return;
  await new Promise<void>((resolve, reject) => {
    const stream = client.query(copyFrom(COPY_FLUSH_ROWS));
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(text);
  });
}
