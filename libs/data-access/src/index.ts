// Adapters around the domain: PostgreSQL through TypeORM, Kafka through kafkajs. No NestJS here:
// the apps wrap these in providers.
export * from './persistence/event-row.entity';
export * from './persistence/oplog-row.entity';
export * from './persistence/data-source.options';
export * from './persistence/run-migrations';
export * from './persistence/events.repository';
export * from './persistence/events-shadow';
export * from './persistence/oplog.repository';
export * from './persistence/epoch-fence';
export * from './persistence/flush-writer';
export * from './persistence/producer-mark-row.entity';
export * from './persistence/producer-marks.repository';
export * from './persistence/verdict-row.entity';
export * from './persistence/verdicts.repository';
export * from './persistence/parked.repository';
export * from './kafka/parked-control.v1';
export * from './parking/parked-admin';
export * from './kafka/event-record.v1';
export * from './kafka/kafka-settings';
export * from './kafka/kafkajs/kafkajs-client.options';
export * from './kafka/topic-admin';
export * from './config/env-reader';
export * from './config/shared-settings';
export * from './config/fold-settings';
export * from './auth/api-key-ring';
export * from './auth/api-key-entries';
export * from './config/api-keys.settings';
export * from './persistence/change-outbox-row.entity';
export * from './persistence/change-outbox.repository';
export * from './persistence/fenced-outbox-relay';
export * from './persistence/events-snapshot.repository';
export * from './kafka/change-record.v1';
export * from './persistence/claim-refused.error';
export * from './kafka/produce-answer';
export * from './kafka/partition-leaders';
// The Kafka port (issue 16): the apps' producing and admin calls, with an adapter per client.
export * from './kafka/port/kafka.port';
export * from './kafka/port/record-source';
export * from './kafka/port/send-errors';
export * from './kafka/port/open-kafka-port';
export * from './kafka/port/client-log';
export * from './kafka/partition-reader';
export { DEFAULT_KAFKA_CLIENT } from './kafka/port/kafka-client.choice';
export * from './kafka/port/admin-answers';
export * from './kafka/port/topic-id-unavailable.error';
export * from './kafka/port/error-reason';
// Reading the apps' /metrics (the operator CLI's status, and the tests).
export * from './metrics/prometheus-scrape';
