import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CHANGE_OUTBOX as described by ChangeOutboxRow: the transactional outbox of the change stream. The
 * flush inserts its changes here in the same statement that upserts EVENTS; the consumer's relay
 * publishes them to the change topic and deletes them.
 */
export class ChangeOutbox1764460800000 implements MigrationInterface {
  name = 'ChangeOutbox1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE change_outbox (
        seq           bigserial   PRIMARY KEY,
        id            text        NOT NULL,
        state         jsonb,
        deleted       boolean     NOT NULL,
        version       bigint      NOT NULL,
        partition     integer     NOT NULL,
        source_offset bigint      NOT NULL,
        event_ts      timestamptz NOT NULL,
        committed_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE change_outbox');
  }
}
