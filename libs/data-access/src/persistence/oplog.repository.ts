import type { DataSource } from 'typeorm';

/** What a claim returns: the epoch that fences every later flush, and where to resume. */
export interface PartitionClaim {
  partition: number;
  epoch: number;
  nextOffset: number;
}

export interface OplogKey {
  consumerGroup: string;
  topic: string;
}

/** OPLOG access outside the flush transaction: claiming partitions and reading progress. */
export class OplogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes ownership of a partition: epoch + 1, owner = me. The row lock this UPDATE takes waits for
   * an in-flight flush of the previous owner to finish, so the next_offset read here includes it,
   * and every later flush of the previous owner finds a different epoch and is fenced.
   */
  async claim(key: OplogKey, partition: number, owner: string): Promise<PartitionClaim> {
    const rows: Array<{ epoch: string; next_offset: string }> = await this.dataSource.query(
      `INSERT INTO oplog AS o (consumer_group, topic, partition, next_offset, epoch, owner, updated_at)
       VALUES ($1, $2, $3, 0, 1, $4, now())
       ON CONFLICT (consumer_group, topic, partition)
       DO UPDATE SET epoch = o.epoch + 1, owner = EXCLUDED.owner, updated_at = now()
       RETURNING epoch::text AS epoch, next_offset::text AS next_offset`,
      [key.consumerGroup, key.topic, partition, owner],
    );
    return { partition, epoch: Number(rows[0].epoch), nextOffset: Number(rows[0].next_offset) };
  }

  /** next_offset of every partition this group has progress for. */
  async nextOffsets(key: OplogKey): Promise<Map<number, number>> {
    const rows: Array<{ partition: number; next_offset: string }> = await this.dataSource.query(
      'SELECT partition, next_offset::text AS next_offset FROM oplog WHERE consumer_group = $1 AND topic = $2',
      [key.consumerGroup, key.topic],
    );
    return new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
  }

  /** The current claim (epoch and owner) of every partition of this group: a stale epoch means fenced. */
  async claims(key: OplogKey): Promise<Map<number, { epoch: number; owner: string }>> {
    const rows: Array<{ partition: number; epoch: string; owner: string }> = await this.dataSource.query(
      'SELECT partition, epoch::text AS epoch, owner FROM oplog WHERE consumer_group = $1 AND topic = $2',
      [key.consumerGroup, key.topic],
    );
    return new Map(rows.map((r) => [r.partition, { epoch: Number(r.epoch), owner: r.owner }]));
  }
}
