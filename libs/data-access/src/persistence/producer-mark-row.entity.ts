import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * PRODUCER_MARKS: per consumer group, topic and partition, the highest record `seq` applied from
 * each producer incarnation (`src`). Written in the flush transaction with OPLOG.next_offset, so
 * the marks always match the offset a new owner resumes from; the consumer refuses a record at or
 * below its producer's mark (a second copy stored by the Kafka client: see ProducerSequences).
 * Bounded: producers not heard from within the retention, or beyond the count bound, are deleted
 * by the same transaction.
 */
@Entity({ name: 'producer_marks' })
export class ProducerMarkRow {
  @PrimaryColumn({ name: 'consumer_group', type: 'text' })
  consumerGroup!: string;

  @PrimaryColumn({ type: 'text' })
  topic!: string;

  @PrimaryColumn({ type: 'integer' })
  partition!: number;

  /** The producer incarnation (`src` of the records). */
  @PrimaryColumn({ type: 'text' })
  src!: string;

  /** The highest `seq` of this producer applied in this partition. */
  @Column({ name: 'last_seq', type: 'bigint' })
  lastSeq!: string;

  /** Producer receive time (ms since the epoch) of that record. */
  @Column({ name: 'last_ts', type: 'bigint' })
  lastTs!: string;
}
