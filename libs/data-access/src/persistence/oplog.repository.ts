import type { DataSource, EntityManager } from 'typeorm';
import { ClaimRefusedError } from './claim-refused.error';
import { CLAIM_PARTITION, type CurrentClaim, LOCK_FOR_CLAIM, READ_CLAIMS } from './epoch-fence';

/** What a claim returns: the epoch that fences every later flush, and where to resume. */
export interface PartitionClaim {
  partition: number;
  epoch: number;
  nextOffset: number;
}

/**
 * The topic as Kafka has it: its id, and the partition's end (high watermark), read only once the
 * claim holds the partition's OPLOG row (see claim).
 */
export interface TopicPosition {
  topicId: string;
  endOffset: () => Promise<number>;
}

export interface OplogKey {
  consumerGroup: string;
  topic: string;
}

/** OPLOG access outside the flush transaction: claiming partitions and reading progress. */
export class OplogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes ownership of a partition: epoch + 1, owner = me (the fence's rule 1, see epoch-fence.ts).
   *
   * With `topic` (every production claim), the claim also checks that OPLOG counts offsets of the
   * topic Kafka has now: the same topic id (a row without one adopts it) and a next_offset not
   * beyond the partition's end. Otherwise nothing changes and it throws ClaimRefusedError.
   *
   * The end is read while this claim holds the row (LOCK_FOR_CLAIM), never before: the owner being
   * replaced goes on flushing until then, and each of its flushes may move next_offset up to the
   * end as it was at its fetch. An end read earlier can be below a next_offset committed since,
   * and the claim would refuse a healthy topic as one that lost records. Under the lock no flush
   * can move next_offset, and the end read afterwards is at or above every offset already
   * committed, unless the broker really lost them.
   */
  async claim(key: OplogKey, partition: number, owner: string, topic?: TopicPosition): Promise<PartitionClaim> {
    const params = [key.consumerGroup, key.topic, partition, owner];
    if (!topic) {
      const [row]: ClaimRow[] = await this.dataSource.query(CLAIM_PARTITION, [...params, null, null]);
      return claimOf(partition, row);
    }
    return this.dataSource.transaction(async (manager) => {
      for (const statement of LOCK_FOR_CLAIM) await manager.query(statement, params.slice(0, 3));
      const endOffset = await topic.endOffset();
      const [row]: ClaimRow[] = await manager.query(CLAIM_PARTITION, [...params, topic.topicId, endOffset]);
      if (!row) throw await refusal(manager, key, partition, { topicId: topic.topicId, endOffset });
      return claimOf(partition, row);
    });
  }

  /**
   * next_offset of every partition this group has progress for. With `topicId`, only rows that count
   * offsets of that topic: progress folded from an older topic of the same name (or not yet
   * confirmed against the topic by a claim) says nothing about the records Kafka has now.
   */
  async nextOffsets(key: OplogKey, topicId?: string): Promise<Map<number, number>> {
    const rows: Array<{ partition: number; next_offset: string }> = await this.dataSource.query(
      'SELECT partition, next_offset::text AS next_offset FROM oplog WHERE consumer_group = $1 AND topic = $2 AND ($3::text IS NULL OR topic_id = $3)',
      [key.consumerGroup, key.topic, topicId ?? null],
    );
    return new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
  }

  /** The current claim (epoch and owner) of every partition of this group: a stale epoch means fenced. */
  async claims(key: OplogKey): Promise<Map<number, CurrentClaim>> {
    const rows: Array<{ partition: number; epoch: string; owner: string }> = await this.dataSource.query(
      READ_CLAIMS,
      [key.consumerGroup, key.topic],
    );
    return new Map(rows.map((r) => [r.partition, { epoch: Number(r.epoch), owner: r.owner }]));
  }

  /** Every OPLOG row of this group and topic, as an operator reads it (the CLI's `async2 status`). */
  async rows(key: OplogKey): Promise<OplogProgress[]> {
    const rows: Array<{ partition: number; next_offset: string; epoch: string; owner: string | null; topic_id: string | null; updated_at: Date }> = await this.dataSource.query(
      'SELECT partition, next_offset::text AS next_offset, epoch::text AS epoch, owner, topic_id, updated_at FROM oplog WHERE consumer_group = $1 AND topic = $2 ORDER BY partition',
      [key.consumerGroup, key.topic],
    );
    return rows.map((r) => ({ partition: r.partition, nextOffset: Number(r.next_offset), epoch: Number(r.epoch), owner: r.owner, topicId: r.topic_id, updatedAt: r.updated_at }));
  }
}

/** One partition's OPLOG row: where the group resumes, who claimed it last, and when it last changed (a claim or a flush). */
export interface OplogProgress {
  partition: number;
  nextOffset: number;
  epoch: number;
  owner: string | null;
  topicId: string | null;
  updatedAt: Date;
}

interface ClaimRow {
  epoch: string;
  next_offset: string;
}

function claimOf(partition: number, row: ClaimRow): PartitionClaim {
  return { partition, epoch: Number(row.epoch), nextOffset: Number(row.next_offset) };
}

/** Why the claim was refused, read in its own transaction (the row as the claim saw it). */
async function refusal(db: EntityManager, key: OplogKey, partition: number, topic: { topicId: string; endOffset: number }): Promise<ClaimRefusedError> {
  const [row]: Array<{ topic_id: string | null; next_offset: string }> = await db.query(
    'SELECT topic_id, next_offset::text AS next_offset FROM oplog WHERE consumer_group = $1 AND topic = $2 AND partition = $3',
    [key.consumerGroup, key.topic, partition],
  );
  const facts = { oplogTopicId: row.topic_id, topicId: topic.topicId, nextOffset: Number(row.next_offset), endOffset: topic.endOffset };
  const reason = row.topic_id !== null && row.topic_id !== topic.topicId ? 'topic-changed' : 'offset-beyond-end';
  return new ClaimRefusedError(reason, key, partition, facts);
}
