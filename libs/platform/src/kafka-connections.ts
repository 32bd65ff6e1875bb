import { type KafkaPort, type SharedSettings, ensureTopics, fetchWatermarks, kafkaClientOptions, openKafkaPort, skipKafkajsIdleQueueTimer } from '@async2/data-access';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Admin, Kafka } from 'kafkajs';
import { kafkajsLogging } from './kafkajs-logging';
import { SHARED_SETTINGS } from './shared-settings.token';

/**
 * The app's Kafka: the port on the client KAFKA_CLIENT names (what the producer sends through),
 * and a kafkajs client and admin for what has not moved behind the port yet; creates the topics
 * when absent.
 */
@Injectable()
export class KafkaConnections implements OnModuleInit, OnApplicationShutdown {
  readonly kafka: Kafka;
  readonly admin: Admin;
  private openedPort: KafkaPort | undefined;
  private readonly logger = new Logger('Kafka');

  constructor(@Inject(SHARED_SETTINGS) private readonly settings: SharedSettings) {
    skipKafkajsIdleQueueTimer();
    this.kafka = new Kafka({ ...kafkaClientOptions(settings.kafka), ...kafkajsLogging() });
    this.admin = this.kafka.admin();
  }

  private connecting: Promise<void> | undefined;

  /**
   * Resolves once the admin is connected and the topics exist. Nest runs the init hooks of one
   * module's providers concurrently, so every provider that needs Kafka awaits this first.
   */
  ready(): Promise<void> {
    this.connecting ??= (async () => {
      try {
        // A listener that wants SASL may still accept the connection and only close it at the
        // first real request: the topic check is part of "can we use Kafka".
        await this.admin.connect();
        this.openedPort = await openKafkaPort(this.settings.kafka, { kafkajs: this.kafka });
        await ensureTopics(this.admin, this.settings.topics);
        // Every partition has a leader that answers (a new topic on a cluster, an election at boot): wait, do not exit.
        const { topic, deadLetterTopic, changesTopic } = this.settings.topics;
        for (const name of [topic, deadLetterTopic, changesTopic]) await fetchWatermarks(this.admin, name);
      } catch (error) {
        const { brokers, ssl, sasl } = this.settings.kafka;
        const security = `${ssl ? 'TLS' : 'no TLS'}, ${sasl ? `SASL ${sasl.mechanism} as ${sasl.username}` : 'no SASL'}`;
        throw new Error(`cannot use Kafka at ${brokers.join(',')} (${security}): ${(error as Error).message}; check KAFKA_BROKERS and that KAFKA_SSL / KAFKA_SASL_* match the listener`);
      }
      this.logger.log(`connected to ${this.settings.kafka.brokers.join(',')} (client ${this.settings.kafka.client}); topics ${this.settings.topics.topic}, ${this.settings.topics.deadLetterTopic}, ${this.settings.topics.changesTopic} ready`);
    })();
    return this.connecting;
  }

  /** The Kafka port (after ready()). */
  get port(): KafkaPort {
    if (!this.openedPort) throw new Error('the Kafka port is used before KafkaConnections.ready()');
    return this.openedPort;
  }

  async onModuleInit(): Promise<void> {
    await this.ready();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}
