import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The parked store (docs/parking.md): PARKED_IDS, one row per parked ID (why, since which event),
 * and PARKED_EVENTS, its kept events by source offset (Kafka order). Written only by the flush
 * transaction under the epoch fence (parked-statement.ts); read at a claim, by reads and by the CLI.
 */
export class ParkedIds1796067827461 implements MigrationInterface {
  name = 'ParkedIds1796067827461';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE parked_ids (
        consumer_group text        NOT NULL,
        topic          text        NOT NULL,
        partition      integer     NOT NULL,
        id             text        NOT NULL,
        reason         text        NOT NULL,
        refused_offset bigint      NOT NULL,
        parked_at      timestamptz NOT NULL,
        PRIMARY KEY (consumer_group, topic, partition, id)
      )`);
    // Reads look a parked ID up by id alone (EVENTS is keyed by id too).
    await queryRunner.query('CREATE INDEX parked_ids_id ON parked_ids (id)');
    await queryRunner.query(`
      CREATE TABLE parked_events (
        consumer_group text    NOT NULL,
        topic          text    NOT NULL,
        partition      integer NOT NULL,
        source_offset  bigint  NOT NULL,
        id             text    NOT NULL,
        event          json    NOT NULL,
        PRIMARY KEY (consumer_group, topic, partition, source_offset)
      )`);
    await queryRunner.query('CREATE INDEX parked_events_id ON parked_events (consumer_group, topic, partition, id, source_offset)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE parked_events');
    await queryRunner.query('DROP TABLE parked_ids');
  }
}
