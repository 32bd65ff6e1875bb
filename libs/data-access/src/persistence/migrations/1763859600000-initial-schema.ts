import type { MigrationInterface, QueryRunner } from 'typeorm';

/** EVENTS and OPLOG as described by EventRow and OplogRow. */
export class InitialSchema1763859600000 implements MigrationInterface {
  name = 'InitialSchema1763859600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE events (
        id               text        PRIMARY KEY,
        state            jsonb,
        deleted          boolean     NOT NULL DEFAULT false,
        version          bigint      NOT NULL,
        partition        integer     NOT NULL,
        last_offset      bigint      NOT NULL,
        event_ts         timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL DEFAULT now(),
        recent_event_ids jsonb       NOT NULL DEFAULT '[]'::jsonb
      )`);
    await queryRunner.query(`
      CREATE TABLE oplog (
        consumer_group text        NOT NULL,
        topic          text        NOT NULL,
        partition      integer     NOT NULL,
        next_offset    bigint      NOT NULL DEFAULT 0,
        epoch          bigint      NOT NULL DEFAULT 0,
        owner          text,
        updated_at     timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, topic, partition)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE oplog');
    await queryRunner.query('DROP TABLE events');
  }
}
