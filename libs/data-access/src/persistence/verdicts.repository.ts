import type { ConditionVerdict } from '@async2/domain';
import type { DataSource } from 'typeorm';
import type { OplogKey } from './oplog.repository';

/** A stored verdict as the read path answers it; `copyOf`: the offset of the first copy it answers with. */
export interface StoredVerdict {
  verdict: ConditionVerdict;
  copyOf?: number;
}

// One query: the row at the position, and for a `copy` row its first copy's (same identity, not a copy).
const FIND = `SELECT v.outcome, v.seen_version::text AS seen_version, v.reason, v.duplicate,
    f.outcome AS f_outcome, f.seen_version::text AS f_seen_version, f.reason AS f_reason, f.duplicate AS f_duplicate, f."offset"::text AS f_offset
  FROM verdicts v
  LEFT JOIN verdicts f ON v.outcome = 'copy' AND f.consumer_group = v.consumer_group AND f.topic = v.topic AND f.partition = v.partition
    AND f.src = v.src AND f.seq = v.seq AND f.outcome <> 'copy'
  WHERE v.consumer_group = $1 AND v.topic = $2 AND v.partition = $3 AND v."offset" = $4
  LIMIT 1`;

// Bounded batches, so a long backlog never holds one huge delete; the BRIN index finds the old pages.
const DELETE_EXPIRED = `DELETE FROM verdicts WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM verdicts WHERE accepted_at < now() - make_interval(secs => $3 / 1000.0) AND consumer_group = $1 AND topic = $2 LIMIT $4))`;

interface FoundRow {
  outcome: string;
  seen_version: string | null;
  reason: string | null;
  duplicate: boolean;
  f_outcome: string | null;
  f_seen_version: string | null;
  f_reason: string | null;
  f_duplicate: boolean | null;
  f_offset: string | null;
}

/** VERDICTS: written by the flush transaction (verdict-statement.ts), read by GET /v1/events/{p}:{o}, trimmed by retention. */
export class VerdictsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The verdict at a position; undefined when none is stored (an unconditional event, or past retention). */
  async find(key: OplogKey, partition: number, offset: number): Promise<StoredVerdict | undefined> {
    const rows: FoundRow[] = await this.dataSource.query(FIND, [key.consumerGroup, key.topic, partition, offset]);
    const row = rows[0];
    if (!row) return undefined;
    if (row.outcome !== 'copy') return { verdict: toVerdict(row.outcome, row.seen_version, row.reason, row.duplicate) };
    if (row.f_outcome === null || row.f_offset === null) return undefined; // its first copy is past retention
    return { verdict: toVerdict(row.f_outcome, row.f_seen_version, row.f_reason, row.f_duplicate ?? false), copyOf: Number(row.f_offset) };
  }

  /** Deletes verdicts accepted longer than `retentionMs` ago, `batch` rows per statement; returns how many. */
  async deleteExpired(key: OplogKey, retentionMs: number, batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const [, deleted] = (await this.dataSource.query(DELETE_EXPIRED, [key.consumerGroup, key.topic, retentionMs, batch])) as [unknown, number];
      total += deleted;
      if (deleted < batch) return total;
    }
  }
}

function toVerdict(outcome: string, seenVersion: string | null, reason: string | null, duplicate: boolean): ConditionVerdict {
  const verdict: ConditionVerdict = { outcome: outcome as ConditionVerdict['outcome'], seenVersion: Number(seenVersion ?? 0) };
  if (reason !== null) verdict.reason = reason as ConditionVerdict['reason'];
  if (duplicate) verdict.duplicate = true;
  return verdict;
}
