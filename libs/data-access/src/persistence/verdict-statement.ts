import type { VerdictEntry } from '@async2/domain';
import type { OplogKey } from './oplog.repository';

/*
 * The verdicts of a flush, written by the flush transaction (FlushWriter.commit) after its flush
 * statement matched our epoch and before COMMIT: the OPLOG row is locked by the fence until then, so
 * they are durable exactly when the offset they were decided at is, and a fenced flush writes none.
 * A second round trip only for flushes that hold conditional events.
 *
 *   $1 consumer group, $2 topic, $3 partition, $4 the entries as one json array (VERDICT_ROW_COLUMNS)
 *
 * A position is written once: only the flush that moves next_offset past it writes it. ON CONFLICT
 * updates only when an operator made OPLOG count the partition again (a recreated topic, `DELETE FROM
 * oplog`): then the offset names a new record, and the new fold's decision is its verdict.
 */
const VERDICT_ROW_COLUMNS = '"offset" bigint, outcome text, seen_version bigint, reason text, duplicate boolean, src text, seq bigint, ts_ms float8';

export const INSERT_VERDICTS = `INSERT INTO verdicts AS v (consumer_group, topic, partition, "offset", outcome, seen_version, reason, duplicate, src, seq, accepted_at)
  SELECT $1, $2, $3, u."offset", u.outcome, u.seen_version, u.reason, COALESCE(u.duplicate, false), u.src, u.seq, to_timestamp(u.ts_ms / 1000.0)
  FROM json_to_recordset($4::json) AS u(${VERDICT_ROW_COLUMNS})
  ON CONFLICT (consumer_group, topic, partition, "offset") DO UPDATE SET
    outcome = EXCLUDED.outcome, seen_version = EXCLUDED.seen_version, reason = EXCLUDED.reason,
    duplicate = EXCLUDED.duplicate, src = EXCLUDED.src, seq = EXCLUDED.seq, accepted_at = EXCLUDED.accepted_at`;

/**
 * A rebuild's swap (EventsShadow.swap, under the same fence): the verdicts its fold decided, kept
 * where one is already stored. A rebuild re-folds offsets the consumer committed (their verdicts were
 * decided then and never flip) and those it had not (the fenced consumer's tail: written here).
 */
export const INSERT_VERDICTS_KEEPING = `${INSERT_VERDICTS.slice(0, INSERT_VERDICTS.indexOf('ON CONFLICT'))}ON CONFLICT (consumer_group, topic, partition, "offset") DO NOTHING`;

export function verdictParameters(key: OplogKey, partition: number, entries: readonly VerdictEntry[]): unknown[] {
  const rows = entries.map((e) => {
    const decided = e.verdict === 'copy' ? undefined : e.verdict;
    return {
      offset: e.offset,
      outcome: decided?.outcome ?? 'copy',
      seen_version: decided?.seenVersion ?? null,
      reason: decided?.reason ?? null,
      duplicate: decided?.duplicate ?? false,
      src: e.src,
      seq: e.seq ?? null,
      ts_ms: e.ts,
    };
  });
  return [key.consumerGroup, key.topic, partition, JSON.stringify(rows)];
}
