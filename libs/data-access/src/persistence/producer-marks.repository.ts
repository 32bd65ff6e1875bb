import type { ProducerMark, ProducerMarksPlan } from '@async2/domain';
import type { DataSource, QueryRunner } from 'typeorm';
import type { OplogKey } from './oplog.repository';

// One statement for all changed marks, arrays through unnest (no statement per producer).
const UPSERT_MARKS = `INSERT INTO producer_marks AS m (consumer_group, topic, partition, src, last_seq, last_ts)
  SELECT $1, $2, $3, u.src, u.last_seq, u.last_ts FROM unnest($4::text[], $5::bigint[], $6::bigint[]) AS u(src, last_seq, last_ts)
  ON CONFLICT (consumer_group, topic, partition, src) DO UPDATE SET last_seq = EXCLUDED.last_seq, last_ts = EXCLUDED.last_ts`;

const DELETE_MARKS = 'DELETE FROM producer_marks WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND src = ANY($4::text[])';

/** PRODUCER_MARKS: loaded at a claim, written by the flush transaction (never outside one). */
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

/** Writes a flush's marks inside its transaction (the caller has already passed the epoch fence). */
export async function writeProducerMarks(runner: QueryRunner, key: OplogKey, partition: number, plan: ProducerMarksPlan): Promise<void> {
  if (plan.changed.length > 0) {
    const { changed } = plan;
    await runner.query(UPSERT_MARKS, [key.consumerGroup, key.topic, partition, changed.map((m) => m.src), changed.map((m) => m.seq), changed.map((m) => m.ts)]);
  }
  if (plan.forgotten.length > 0) await runner.query(DELETE_MARKS, [key.consumerGroup, key.topic, partition, plan.forgotten]);
}
