import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * EVENTS.expires_at: when the ID expires (a write's `ttlMs` after its receive time; fold/expiry.ts);
 * NULL: never (every row from before this migration, and every tombstone: the sweep clears it).
 * The partial index holds only rows that will expire, so the consumer's sweep ("this partition's
 * rows expired by now, oldest first") is an index range scan that costs nothing when TTL is unused.
 * CHANGE_OUTBOX.expires_at carries the expiry into the change stream, so a replica hides an
 * expired ID before the sweep's deletion reaches it.
 */
export class EventsExpiresAt1796067785699 implements MigrationInterface {
  name = 'EventsExpiresAt1796067785699';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events ADD COLUMN expires_at timestamptz');
    await queryRunner.query('CREATE INDEX events_expiry_idx ON events (partition, expires_at) WHERE expires_at IS NOT NULL');
    await queryRunner.query('ALTER TABLE change_outbox ADD COLUMN expires_at timestamptz');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE change_outbox DROP COLUMN expires_at');
    await queryRunner.query('DROP INDEX events_expiry_idx');
    await queryRunner.query('ALTER TABLE events DROP COLUMN expires_at');
  }
}
