import type { ProducerMark } from '@async2/domain';
import type { DataSource } from 'typeorm';
import type { OplogKey } from './oplog.repository';

/** PRODUCER_MARKS: loaded at a claim, written by the flush statement (flush-statement.ts), never outside one. */
export class ProducerMarksRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The marks committed for a partition. Read after the claim, so they match its next_offset. */
  async load(key: OplogKey, partition: number): Promise<ProducerMark[]> {
    const rows: Array<{ src: string; last_seq: string; last_ts: string }> = await this.dataSource.query(
      'SELECT src, last_seq::text AS last_seq, last_ts::text AS last_ts FROM producer_marks WHERE consumer_group = $1 AND topic = $2 AND partition = $3',
      [key.consumerGroup, key.topic, partition],
    );
    return rows.map((r) => ({ src: r.src, seq: Number(r.last_seq), ts: Number(r.last_ts) }));
  }
}
