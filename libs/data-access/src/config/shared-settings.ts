import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { DatabaseSettings } from '../persistence/data-source.options';
import type { KafkaSettings, KafkaTlsSettings } from '../kafka/kafka-settings';
import type { TopicLayout } from '../kafka/topic-admin';
import type { EnvReader } from './env-reader';
import { readKafkaClient } from '../kafka/port/kafka-client.choice';

/** Settings both apps read the same way: Kafka, the topics, PostgreSQL, the consumer group. */
export interface SharedSettings {
  instanceId: string;
  kafka: KafkaSettings;
  topics: TopicLayout;
  database: DatabaseSettings;
  consumerGroup: string;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/async2';

export function readSharedSettings(env: EnvReader, app: 'producer' | 'consumer' | 'cli'): SharedSettings {
  const instanceId = env.string('INSTANCE_ID', `${app}-${hostname()}-${process.pid}`);
  const saslMechanism = env.oneOf('KAFKA_SASL_MECHANISM', 'none', ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const);
  const saslUser = env.optionalString('KAFKA_SASL_USERNAME');
  const saslPassword = env.optionalString('KAFKA_SASL_PASSWORD');
  if (saslMechanism !== 'none' && (!saslUser || !saslPassword)) {
    env.problem('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required when KAFKA_SASL_MECHANISM is set');
  }
  const topic = env.string('KAFKA_TOPIC', 'events', { pattern: /^[a-zA-Z0-9._-]{1,200}$/, describe: 'must be a legal Kafka topic name' });
  const databaseSsl = env.oneOf('DATABASE_SSL', 'off', ['off', 'require', 'verify-full'] as const);
  const databaseCa = pemFile(env, 'DATABASE_SSL_CA_FILE');
  if (databaseCa !== undefined && databaseSsl === 'off') env.problem('DATABASE_SSL_CA_FILE is set but DATABASE_SSL is off: set DATABASE_SSL=verify-full (or require)');
  return {
    instanceId,
    kafka: {
      client: readKafkaClient(env),
      brokers: env.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
      clientId: env.string('KAFKA_CLIENT_ID', `async2-${app}`),
      ssl: kafkaTls(env),
      sasl: saslMechanism === 'none' ? undefined : { mechanism: saslMechanism, username: saslUser ?? '', password: saslPassword ?? '' },
    },
    topics: {
      topic,
      deadLetterTopic: env.string('KAFKA_DLQ_TOPIC', `${topic}.dlq`, { pattern: /^[a-zA-Z0-9._-]{1,249}$/, describe: 'must be a legal Kafka topic name' }),
      // The default derives from KAFKA_TOPIC, already checked: only an explicit value is checked here.
      changesTopic: env.optionalString('KAFKA_CHANGES_TOPIC') === undefined ? `${topic}.changes` : env.string('KAFKA_CHANGES_TOPIC', '', { pattern: /^[a-zA-Z0-9._-]{1,249}$/, describe: 'must be a legal Kafka topic name' }),
      partitions: env.int('KAFKA_TOPIC_PARTITIONS', 4, { min: 1, max: 10000 }),
      replicationFactor: env.int('KAFKA_REPLICATION_FACTOR', 1, { min: 1, max: 10 }),
    },
    database: {
      url: env.string('DATABASE_URL', DEFAULT_DATABASE_URL, { pattern: /^postgres(ql)?:\/\//, describe: 'must be a postgres:// URL' }),
      poolSize: env.int('DATABASE_POOL_SIZE', 10, { min: 1, max: 500 }),
      idleInTransactionTimeoutMs: env.int('DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 10000, { min: 1000, max: 3600000 }),
      // verify-full: the server's certificate must chain to the CA (DATABASE_SSL_CA_FILE, else the
      // system's) and name the host; require: encrypted, not verified (libpq's sslmode=require).
      ssl: databaseSsl === 'off' ? undefined : { rejectUnauthorized: databaseSsl === 'verify-full', ...(databaseCa !== undefined ? { ca: databaseCa } : {}) },
      applicationName: instanceId,
    },
    consumerGroup: env.string('CONSUMER_GROUP', 'async2-consumer', { pattern: /^[a-zA-Z0-9._-]{1,200}$/, describe: 'letters, digits, . _ -' }),
  };
}

/** KAFKA_SSL plus optional PEM files; files imply TLS, and a file without KAFKA_SSL is a mistake worth naming. */
function kafkaTls(env: EnvReader): boolean | KafkaTlsSettings {
  const enabled = env.bool('KAFKA_SSL', false);
  const ca = pemFile(env, 'KAFKA_SSL_CA_FILE');
  const cert = pemFile(env, 'KAFKA_SSL_CERT_FILE');
  const key = pemFile(env, 'KAFKA_SSL_KEY_FILE');
  const rejectUnauthorized = env.bool('KAFKA_SSL_REJECT_UNAUTHORIZED', true);
  if ((cert === undefined) !== (key === undefined)) env.problem('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (a client certificate and its key)');
  const files = ca !== undefined || cert !== undefined || key !== undefined;
  if (!enabled) {
    if (files || !rejectUnauthorized) env.problem('KAFKA_SSL_* files or KAFKA_SSL_REJECT_UNAUTHORIZED are set but KAFKA_SSL is false: set KAFKA_SSL=true');
    return false;
  }
  if (!files && rejectUnauthorized) return true;
  return { rejectUnauthorized, ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}) };
}

/** The contents of a PEM file named by a variable, read once at boot. */
function pemFile(env: EnvReader, name: string): string | undefined {
  const path = env.optionalString(name);
  if (path === undefined) return undefined;
  try {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('-----BEGIN ')) env.problem(`${name}=${JSON.stringify(path)}: not a PEM file (no -----BEGIN line)`);
    return text;
  } catch (error) {
    env.problem(`${name}=${JSON.stringify(path)}: cannot be read (${(error as Error).message})`);
    return undefined;
  }
}
