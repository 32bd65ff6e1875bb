import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * EVENTS: the latest state of every ID (design section 5), one row per ID. A deleted ID stays as a
 * tombstone (`deleted` true, `state` NULL) so its version and recent eventIds survive the delete.
 * Written only by the consumer that owns the ID's partition, with absolute values.
 */
@Entity({ name: 'events' })
export class EventRow {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'jsonb', nullable: true })
  state!: Record<string, unknown> | null;

  @Column({ type: 'boolean', default: false })
  deleted!: boolean;

  /** Number of events applied to this ID. */
  @Column({ type: 'bigint' })
  version!: string;

  @Column({ type: 'integer' })
  partition!: number;

  @Column({ name: 'last_offset', type: 'bigint' })
  lastOffset!: string;

  /** Producer receive time of the last applied event. */
  @Column({ name: 'event_ts', type: 'timestamptz' })
  eventTs!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  /** The last K client eventIds applied to this ID, oldest first (a JSON array of strings). */
  @Column({ name: 'recent_event_ids', type: 'jsonb', default: () => "'[]'::jsonb" })
  recentEventIds!: string[];

  /** Client event times of the top-level fields (the fold's FieldTimes); NULL: no timed write yet. */
  @Column({ name: 'field_times', type: 'jsonb', nullable: true })
  fieldTimes!: { lastSet?: number; fields: Record<string, number> } | null;

  /** When the ID expires (ttlMs; fold/expiry.ts); NULL: never. Indexed per partition for the sweep (partial: non-NULL only). */
  @Index('events_expiry_idx', ['partition', 'expiresAt'], { where: 'expires_at IS NOT NULL' })
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
