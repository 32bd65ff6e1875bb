import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * VERDICTS: per consumer group, topic and Kafka position, what the fold decided for a conditional
 * event (`if`): `applied` or `rejected` with the version it saw, or `copy` (a second copy of a record,
 * which answers with its first copy's verdict, found by `src`/`seq`). Written by the flush
 * transaction that moves OPLOG past the offset (verdict-statement.ts), so it is decided once; rows
 * older than VERDICT_RETENTION_MS (by `accepted_at`, the producer's receive time) are deleted.
 */
@Entity({ name: 'verdicts' })
export class VerdictRow {
  @PrimaryColumn({ name: 'consumer_group', type: 'text' })
  consumerGroup!: string;

  @PrimaryColumn({ type: 'text' })
  topic!: string;

  @PrimaryColumn({ type: 'integer' })
  partition!: number;

  @PrimaryColumn({ type: 'bigint' })
  offset!: string;

  /** `applied`, `rejected` or `copy`. */
  @Column({ type: 'text' })
  outcome!: string;

  /** The ID's version the fold saw; null for a copy. */
  @Column({ name: 'seen_version', type: 'bigint', nullable: true })
  seenVersion!: string | null;

  /** For `rejected`: `condition` or `discarded` (parked, then discarded by an operator). */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** `applied` by an earlier event with the same eventId (this one changed nothing). */
  @Column({ type: 'boolean', default: false })
  duplicate!: boolean;

  /** The record's identity: producer incarnation and sequence. */
  @Column({ type: 'text' })
  src!: string;

  @Column({ type: 'bigint', nullable: true })
  seq!: string | null;

  /** Producer receive time of the event: the retention counts from it. */
  @Column({ name: 'accepted_at', type: 'timestamptz' })
  acceptedAt!: Date;
}
