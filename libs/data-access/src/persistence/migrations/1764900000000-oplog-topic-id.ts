import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OPLOG.topic_id: the Kafka topic id (KIP-516) of the topic whose offsets next_offset counts. A
 * topic deleted and created again under the same name starts at offset 0 with a new id; without
 * the id, a claim would resume at the old topic's offset and treat every new record as applied.
 * Rows from before this migration have NULL and adopt the id at their next claim.
 */
export class OplogTopicId1764900000000 implements MigrationInterface {
  name = 'OplogTopicId1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE oplog ADD COLUMN topic_id text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE oplog DROP COLUMN topic_id');
  }
}
