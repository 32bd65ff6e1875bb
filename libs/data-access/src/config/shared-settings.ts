import { hostname } from 'node:os';
import type { DatabaseSettings } from '../persistence/data-source.options';
import type { KafkaSettings } from '../kafka/kafka-client.options';
import type { TopicLayout } from '../kafka/topic-admin';
import type { EnvReader } from './env-reader';

/** Settings both apps read the same way: Kafka, the topics, PostgreSQL, the consumer group. */
export interface SharedSettings {
  instanceId: string;
  kafka: KafkaSettings;
  topics: TopicLayout;
  database: DatabaseSettings;
  consumerGroup: string;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/async2';

export function readSharedSettings(env: EnvReader, app: 'producer' | 'consumer'): SharedSettings {
  const instanceId = env.string('INSTANCE_ID', `${app}-${hostname()}-${process.pid}`);
  const saslMechanism = env.oneOf('KAFKA_SASL_MECHANISM', 'none', ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const);
  const saslUser = env.optionalString('KAFKA_SASL_USERNAME');
  const saslPassword = env.optionalString('KAFKA_SASL_PASSWORD');
  if (saslMechanism !== 'none' && (!saslUser || !saslPassword)) {
    env.problem('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set');
  }
  const topic = env.string('KAFKA_TOPIC', 'events', { pattern: /^[a-zA-Z0-9._-]{1,200}$/, describe: 'must be a legal Kafka topic name' });
  const databaseSsl = env.oneOf('DATABASE_SSL', 'off', ['off', 'require', 'verify-full'] as const);
  return {
    instanceId,
    kafka: {
      brokers: env.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
      clientId: env.string('KAFKA_CLIENT_ID', `async2-${app}`),
      ssl: env.bool('KAFKA_SSL', false),
      sasl: saslMechanism === 'none' ? undefined : { mechanism: saslMechanism, username: saslUser ?? '', password: saslPassword ?? '' },
    },
    topics: {
      topic,
      deadLetterTopic: env.string('KAFKA_DLQ_TOPIC', `${topic}.dlq`, { pattern: /^[a-zA-Z0-9._-]{1,249}$/, describe: 'must be a legal Kafka topic name' }),
      partitions: env.int('KAFKA_TOPIC_PARTITIONS', 4, { min: 1, max: 10000 }),
      replicationFactor: env.int('KAFKA_REPLICATION_FACTOR', 1, { min: 1, max: 10 }),
    },
    database: {
      url: env.string('DATABASE_URL', DEFAULT_DATABASE_URL, { pattern: /^postgres(ql)?:\/\//, describe: 'must be a postgres:// URL' }),
      poolSize: env.int('DATABASE_POOL_SIZE', 10, { min: 1, max: 500 }),
      ssl: databaseSsl === 'off' ? undefined : { rejectUnauthorized: databaseSsl === 'verify-full' },
      applicationName: instanceId,
    },
    consumerGroup: env.string('CONSUMER_GROUP', 'async2-consumer', { pattern: /^[a-zA-Z0-9._-]{1,200}$/, describe: 'letters, digits, . _ -' }),
  };
}
