import {
  type DatabaseSettings,
  EnvReader,
  type FoldSettings,
  type KafkaAdmin,
  type OplogKey,
  type SharedSettings,
  dataSourceOptions,
  kafkaClientOptions,
  openKafkaPort,
  readFoldSettings,
  readSharedSettings,
  skipKafkajsIdleQueueTimer,
} from '@async2/data-access';
import { Kafka, logLevel } from 'kafkajs';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';

/** The CLI reads the apps' own variables (KAFKA_*, DATABASE_*, CONSUMER_GROUP, the fold's), with the apps' defaults and rules. */
export interface CliSettings extends SharedSettings {
  fold: FoldSettings;
}

/** Reads and checks the variables; throws ConfigError naming every bad one. */
export function loadCliSettings(environment: NodeJS.ProcessEnv = process.env): CliSettings {
  const env = new EnvReader({ INSTANCE_ID: `async2-cli-${hostname()}-${process.pid}`, ...environment });
  const settings = { ...readSharedSettings(env, 'cli'), fold: readFoldSettings(env) };
  env.done();
  return settings;
}

/** The connections a command needs, opened on first use and closed once at the end. */
export class CliResources {
  private dataSource: DataSource | undefined;
  private kafkajs: Kafka | undefined;
  private kafkaAdmin: KafkaAdmin | undefined;

  constructor(readonly settings: CliSettings) {}

  get oplogKey(): OplogKey {
    return { consumerGroup: this.settings.consumerGroup, topic: this.settings.topics.topic };
  }

  async database(): Promise<DataSource> {
    if (!this.dataSource) {
      const database: DatabaseSettings = { ...this.settings.database, poolSize: 2 };
      this.dataSource = new DataSource(dataSourceOptions(database));
      await this.dataSource.initialize();
    }
    return this.dataSource;
  }

  /** kafkajs, which the consumer side still uses directly (topic id, reading a partition). */
  kafka(): Kafka {
    skipKafkajsIdleQueueTimer(); // as the apps do: no TimeoutNegativeWarning on the operator's terminal
    // The client's own log lines would mix into the command's output: its failures reach us as errors.
    this.kafkajs ??= new Kafka({ ...kafkaClientOptions(this.settings.kafka), logLevel: logLevel.NOTHING });
    return this.kafkajs;
  }

  /** The Kafka port's admin, on the client KAFKA_CLIENT names. */
  async admin(): Promise<KafkaAdmin> {
    this.kafkaAdmin ??= (await openKafkaPort(this.settings.kafka, { kafkajs: this.kafka() })).admin();
    return this.kafkaAdmin;
  }

  async close(): Promise<void> {
    await this.kafkaAdmin?.close().catch(() => undefined);
    await this.dataSource?.destroy().catch(() => undefined);
  }
}
