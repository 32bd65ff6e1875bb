import { ADVANCE_UNDER_EPOCH } from './epoch-fence';
import { FLUSH_ROWS } from './flush-rows';
import type { FlushBatch } from './flush-writer';

/*
 * A whole flush as ONE statement (one round trip), run between BEGIN and COMMIT, after the COPY of
 * the changed rows into FLUSH_ROWS (flush-rows.ts):
 *
 *   fence      ADVANCE_UNDER_EPOCH ($1-$5): OPLOG.next_offset, only while our epoch is current; it
 *              locks the OPLOG row until COMMIT (rule 2 of epoch-fence.ts)
 *   written    the absolute state of every changed ID (the rows of FLUSH_ROWS); a version never
 *              moves backwards
 *   outbox     exactly what `written` wrote, into CHANGE_OUTBOX (the change stream's outbox)
 *   marks      the changed producer marks ($6-$8); `forgotten` deletes the producers to forget ($9)
 *
 * and answers how many OPLOG rows the fence matched (1, or 0: fenced) and how many rows were written.
 * Data-modifying CTEs run exactly once, to completion, on one snapshot. Every write reads `fence`
 * (EXISTS): the fence runs (and takes the row lock) first, and when it matched no row nothing is
 * written. A claim that holds the lock makes the fence wait; once it commits, the fence re-checks
 * the epoch and matches nothing.
 */

const FENCE = `fence AS (${ADVANCE_UNDER_EPOCH} RETURNING 1)`;

// Each ID appears once in FLUSH_ROWS (the fold ran first), which ON CONFLICT needs. A row whose
// stored version is higher (another writer of the ID) is left alone and counted as refused by the caller.
const WRITTEN = `written AS (INSERT INTO events AS e
    (id, state, deleted, version, partition, last_offset, event_ts, updated_at, recent_event_ids, field_times, expires_at)
  SELECT u.id, u.state, u.deleted, u.version, u.partition, u.last_offset,
         to_timestamp(u.event_ts_ms / 1000.0), now(), u.recent_event_ids, u.field_times, to_timestamp(u.expires_at_ms / 1000.0)
  FROM ${FLUSH_ROWS} AS u
  WHERE EXISTS (SELECT 1 FROM fence)
  ON CONFLICT (id) DO UPDATE SET
    state = EXCLUDED.state, deleted = EXCLUDED.deleted, version = EXCLUDED.version,
    partition = EXCLUDED.partition, last_offset = EXCLUDED.last_offset, event_ts = EXCLUDED.event_ts,
    updated_at = EXCLUDED.updated_at, recent_event_ids = EXCLUDED.recent_event_ids, field_times = EXCLUDED.field_times,
    expires_at = EXCLUDED.expires_at
  WHERE e.version <= EXCLUDED.version
  RETURNING e.id, e.state, e.deleted, e.version, e.partition, e.last_offset, e.event_ts, e.expires_at)`;

const OUTBOX = `outbox AS (INSERT INTO change_outbox (id, state, deleted, version, partition, source_offset, event_ts, expires_at)
  SELECT id, state, deleted, version, partition, last_offset, event_ts, expires_at FROM written)`;

// `changed` and `forgotten` never name the same producer (ProducerSequences keeps them apart).
const MARKS = `marks AS (INSERT INTO producer_marks AS m (consumer_group, topic, partition, src, last_seq, last_ts)
  SELECT $1, $2, $3, u.src, u.last_seq, u.last_ts FROM unnest($6::text[], $7::bigint[], $8::bigint[]) AS u(src, last_seq, last_ts)
  WHERE EXISTS (SELECT 1 FROM fence)
  ON CONFLICT (consumer_group, topic, partition, src) DO UPDATE SET last_seq = EXCLUDED.last_seq, last_ts = EXCLUDED.last_ts)`;

const FORGOTTEN = `forgotten AS (DELETE FROM producer_marks
  WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND src = ANY($9::text[]) AND EXISTS (SELECT 1 FROM fence))`;

const ANSWER = 'SELECT (SELECT count(*) FROM fence)::int AS advanced, (SELECT count(*) FROM written)::int AS written';

/** The flush statement, with or without the change outbox (off only to measure its cost). */
export function flushStatement(changeOutbox: boolean): string {
  const parts = changeOutbox ? [FENCE, WRITTEN, OUTBOX, MARKS, FORGOTTEN] : [FENCE, WRITTEN, MARKS, FORGOTTEN];
  return `WITH ${parts.join(',\n')}\n${ANSWER}`;
}

/** The answer row of the flush statement. */
export interface FlushStatementAnswer {
  advanced: number;
  written: number;
}

/** The statement's 9 parameters, built before the transaction starts (the rows go by COPY). */
export function flushParameters(input: FlushBatch): unknown[] {
  const changed = input.producerMarks?.changed ?? [];
  return [
    input.key.consumerGroup, input.key.topic, input.partition, input.epoch, input.nextOffset,
    changed.map((m) => m.src), changed.map((m) => m.seq), changed.map((m) => m.ts),
    input.producerMarks?.forgotten ?? [],
  ];
}
