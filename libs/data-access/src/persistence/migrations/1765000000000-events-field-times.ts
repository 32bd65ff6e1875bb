import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * EVENTS.field_times: the client event times (`ts`) of the row's top-level fields, as the fold's
 * FieldTimes (`{"lastSet"?: ms, "fields": {name: ms}}`), so last-writer-wins by event time holds
 * across consumer restarts and owner changes. NULL: no set or merge with `ts` reached the ID yet
 * (every row from before this migration). Adding a nullable column rewrites nothing.
 */
export class EventsFieldTimes1765000000000 implements MigrationInterface {
  name = 'EventsFieldTimes1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events ADD COLUMN field_times jsonb');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE events DROP COLUMN field_times');
  }
}
