import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * CHANGE_OUTBOX: committed changes of EVENTS not yet published to the change topic (a
 * transactional outbox). Written by the flush in the same transaction as EVENTS, so a change is
 * here exactly when it is committed; the relay publishes rows in `seq` order and deletes them.
 */
@Entity({ name: 'change_outbox' })
export class ChangeOutboxRow {
  /** Commit order within a source partition (one flush at a time per partition). */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'text' })
  id!: string;

  /** The new state; NULL when `deleted`. */
  @Column({ type: 'jsonb', nullable: true })
  state!: Record<string, unknown> | null;

  @Column({ type: 'boolean' })
  deleted!: boolean;

  @Column({ type: 'bigint' })
  version!: string;

  /** Source partition of the events topic (the relay of that partition's owner publishes it). */
  @Column({ type: 'integer' })
  partition!: number;

  /** Offset of the last event applied to this version. */
  @Column({ name: 'source_offset', type: 'bigint' })
  sourceOffset!: string;

  @Column({ name: 'event_ts', type: 'timestamptz' })
  eventTs!: Date;

  /** The ID's expiry at this version (ttlMs), for replicas to hide it once passed; NULL: none. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'committed_at', type: 'timestamptz', default: () => 'now()' })
  committedAt!: Date;
}
