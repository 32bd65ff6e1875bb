import type { DataSourceOptions } from 'typeorm';
import { ChangeOutboxRow } from './change-outbox-row.entity';
import { EventRow } from './event-row.entity';
import { InitialSchema1763859600000 } from './migrations/1763859600000-initial-schema';
import { ChangeOutbox1764460800000 } from './migrations/1764460800000-change-outbox';
import { ProducerMarks1764800000000 } from './migrations/1764800000000-producer-marks';
import { OplogTopicId1764900000000 } from './migrations/1764900000000-oplog-topic-id';
import { EventsFieldTimes1765000000000 } from './migrations/1765000000000-events-field-times';
import { EventsExpiresAt1796067785699 } from './migrations/1796067785699-events-expires-at';
import { Verdicts1796067795871 } from './migrations/1796067795871-verdicts';
import { ParkedIds1796067827461 } from './migrations/1796067827461-parked-ids';
import { EventsFillfactor1796068000000 } from './migrations/1796068000000-events-fillfactor';
import { OplogRow } from './oplog-row.entity';
import { ProducerMarkRow } from './producer-mark-row.entity';
import { SurvivingClient } from './surviving-client';
import { VerdictRow } from './verdict-row.entity';

export const ENTITIES = [EventRow, OplogRow, ChangeOutboxRow, ProducerMarkRow, VerdictRow];
export const MIGRATIONS = [InitialSchema1763859600000, ChangeOutbox1764460800000, ProducerMarks1764800000000, OplogTopicId1764900000000, EventsFieldTimes1765000000000, EventsExpiresAt1796067785699, Verdicts1796067795871, ParkedIds1796067827461, EventsFillfactor1796068000000];

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  /** `pg` TLS options (e.g. `{ rejectUnauthorized: true, ca }`); undefined for plaintext. */
  ssl?: boolean | Record<string, unknown>;
  applicationName: string;
  /**
   * PostgreSQL ends a session idle inside a transaction for longer (idle_in_transaction_session_timeout):
   * an instance frozen mid-flush (SIGSTOP, a VM pause) must not hold the OPLOG row lock that the
   * next owner's claim waits for.
   */
  idleInTransactionTimeoutMs: number;
}

/** TypeORM options for both apps. Never `synchronize`: the schema changes only through MIGRATIONS. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'all',
    ssl: settings.ssl,
    applicationName: settings.applicationName,
    extra: { max: settings.poolSize, idle_in_transaction_session_timeout: settings.idleInTransactionTimeoutMs, Client: SurvivingClient },
    logging: ['error'],
  };
}
