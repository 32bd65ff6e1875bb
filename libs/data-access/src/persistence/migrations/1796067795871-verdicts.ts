import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * VERDICTS as described by VerdictRow: the fold's decision for each conditional event, by its Kafka
 * position. Additive (a new table). `verdicts_identity` finds a record's first copy for a later copy's
 * row; `verdicts_accepted_at` (BRIN: a few pages for a table written in time order) keeps the
 * retention's cleanup a range scan.
 */
export class Verdicts1796067795871 implements MigrationInterface {
  name = 'Verdicts1796067795871';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE verdicts (
        consumer_group text        NOT NULL,
        topic          text        NOT NULL,
        partition      integer     NOT NULL,
        "offset"       bigint      NOT NULL,
        outcome        text        NOT NULL CHECK (outcome IN ('applied', 'rejected', 'copy')),
        seen_version   bigint,
        reason         text,
        duplicate      boolean     NOT NULL DEFAULT false,
        src            text        NOT NULL,
        seq            bigint,
        accepted_at    timestamptz NOT NULL,
        PRIMARY KEY (consumer_group, topic, partition, "offset")
      )`);
    await queryRunner.query(`CREATE INDEX verdicts_identity ON verdicts (consumer_group, topic, partition, src, seq) WHERE outcome <> 'copy'`);
    await queryRunner.query('CREATE INDEX verdicts_accepted_at ON verdicts USING brin (accepted_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE verdicts');
  }
}
