import type { MigrationInterface, QueryRunner } from 'typeorm';

/** PRODUCER_MARKS as described by ProducerMarkRow: the record identities each partition applied. */
export class ProducerMarks1764800000000 implements MigrationInterface {
  name = 'ProducerMarks1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE producer_marks (
        consumer_group text    NOT NULL,
        topic          text    NOT NULL,
        partition      integer NOT NULL,
        src            text    NOT NULL,
        last_seq       bigint  NOT NULL,
        last_ts        bigint  NOT NULL,
        PRIMARY KEY (consumer_group, topic, partition, src)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE producer_marks');
  }
}
