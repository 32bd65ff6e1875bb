import {
  type DatabaseSettings,
  EnvReader,
  type FoldSettings,
  type KafkaAdmin,
  type KafkaPort,
  type OplogKey,
  type SharedSettings,
  dataSourceOptions,
  openKafkaPort,
  readFoldSettings,
  readSharedSettings,
} from '@async2/data-access';
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
  private kafkaPort: KafkaPort | undefined;
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

  /** The Kafka port, on the client KAFKA_CLIENT names. */
  async port(): Promise<KafkaPort> {
    // The client's own log lines would mix into the command's output: its failures reach us as errors.
    this.kafkaPort ??= await openKafkaPort(this.settings.kafka, { log: { appLevel: 'silent', write: () => undefined } });
    return this.kafkaPort;
  }

  /** The Kafka port's admin. */
  async admin(): Promise<KafkaAdmin> {
    this.kafkaAdmin ??= (await this.port()).admin();
    return this.kafkaAdmin;
  }

  async close(): Promise<void> {
    await this.kafkaAdmin?.close().catch(() => undefined);
    await this.dataSource?.destroy().catch(() => undefined);
  }
}
