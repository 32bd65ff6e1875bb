import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { dataSourceOptions, runMigrations } from '@async2/data-access';

/** The broker the test command started (or the one KAFKA_BROKERS names). */
export function testBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
}

/** A server URL whose role may CREATE DATABASE; each suite gets its own database on it. */
export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one suite, dropped (with its connections) by drop(). */
export async function createTestDatabase(prefix = 'async2_test'): Promise<TestDatabase> {
  const name = uniqueName(prefix).toLowerCase();
  const admin = adminDatabaseUrl();
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A migrated TypeORM DataSource on a test database. */
export async function migratedDataSource(url: string): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions({ url, poolSize: 5, applicationName: 'async2-test', idleInTransactionTimeoutMs: 60_000 }));
  await dataSource.initialize();
  await runMigrations(dataSource);
  return dataSource;
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export function testKafka(clientId = 'async2-test', brokers = testBrokers()): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/** A topic with a random name; returns it and a function that deletes it. */
export async function createTestTopic(admin: Admin, partitions: number, prefix = 'events-test'): Promise<{ topic: string; dlq: string; drop(): Promise<void> }> {
  const topic = uniqueName(prefix);
  const dlq = `${topic}.dlq`;
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }, { topic: dlq, numPartitions: 1 }] });
  return { topic, dlq, drop: () => admin.deleteTopics({ topics: [topic, dlq] }).catch(() => undefined) };
}
