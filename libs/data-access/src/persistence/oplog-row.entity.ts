import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * OPLOG: how far each consumer group has applied each partition, and who owns it (design section 5).
 * `next_offset` is written in the same transaction as the EVENTS rows it covers; `epoch` fences
 * zombies: every flush commits only `WHERE epoch = <the epoch its claim got>`.
 */
@Entity({ name: 'oplog' })
export class OplogRow {
  @PrimaryColumn({ name: 'consumer_group', type: 'text' })
  consumerGroup!: string;

  @PrimaryColumn({ type: 'text' })
  topic!: string;

  @PrimaryColumn({ type: 'integer' })
  partition!: number;

  /** The first offset not yet applied: where a restart resumes. */
  @Column({ name: 'next_offset', type: 'bigint', default: 0 })
  nextOffset!: string;

  @Column({ type: 'bigint', default: 0 })
  epoch!: string;

  @Column({ type: 'text', nullable: true })
  owner!: string | null;

  /** Kafka's id of the topic next_offset counts in (32 hex digits); NULL until the first claim after migration 1764900000000. */
  @Column({ name: 'topic_id', type: 'text', nullable: true })
  topicId!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
