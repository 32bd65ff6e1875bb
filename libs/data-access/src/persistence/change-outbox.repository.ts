import type { CommittedChange } from '@async2/domain';
import type { DataSource, QueryRunner } from 'typeorm';

/** A change waiting in CHANGE_OUTBOX, with its row's sequence number and commit time. */
export interface PendingChange {
  seq: string;
  change: CommittedChange;
  committedAt: Date;
}

interface OutboxRowRaw {
  seq: string;
  id: string;
  state: CommittedChange['state'];
  deleted: boolean;
  version: string;
  partition: number;
  source_offset: string;
  event_ts_ms: number;
  expires_at_ms: number | null;
  committed_at: Date;
}

/** The relay's side of the transactional outbox: oldest changes first, deleted once published. */
export class ChangeOutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The oldest `limit` changes of these source partitions, in commit order. One flush at a time
   * commits per partition, so `seq` order is commit order within a partition, hence per ID.
   */
  async oldest(partitions: readonly number[], limit: number, runner?: QueryRunner): Promise<PendingChange[]> {
    if (partitions.length === 0) return [];
    const rows: OutboxRowRaw[] = await (runner ?? this.dataSource).query(
      `SELECT seq::text, id, state, deleted, version::text, partition, source_offset::text,
              (extract(epoch FROM event_ts) * 1000)::float8 AS event_ts_ms,
              (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at_ms, committed_at
         FROM change_outbox WHERE partition = ANY($1::int[]) ORDER BY seq LIMIT $2`,
      [partitions, limit],
    );
    return rows.map((r) => ({
      seq: r.seq,
      committedAt: r.committed_at,
      change: {
        id: r.id,
        state: r.deleted ? null : r.state,
        deleted: r.deleted,
        version: Number(r.version),
        partition: r.partition,
        offset: Number(r.source_offset),
        ts: Math.round(r.event_ts_ms),
        ...(r.expires_at_ms === null ? {} : { expiresAt: Math.round(r.expires_at_ms) }),
      },
    }));
  }

  /** Deletes published changes (by sequence number, so a row committed meanwhile stays). */
  async remove(seqs: readonly string[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.dataSource.query('DELETE FROM change_outbox WHERE seq = ANY($1::bigint[])', [seqs]);
  }
}
