import { type KafkaAdmin, type KafkaPort, type SharedSettings, awaitWatermarks, ensureTopics, errorReason, openKafkaPort } from '@async2/data-access';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { kafkaClientLog } from './kafka-client-log';
import { SHARED_SETTINGS } from './shared-settings.token';

/**
 * The app's Kafka: the port on the client KAFKA_CLIENT names (sends, reads and cluster questions
 * all go through it, and the client logs through the app's logger); creates the topics when absent.
 */
@Injectable()
export class KafkaConnections implements OnModuleInit, OnApplicationShutdown {
  private openedPort: KafkaPort | undefined;
  private openedAdmin: KafkaAdmin | undefined;
  private readonly logger = new Logger('Kafka');

  constructor(@Inject(SHARED_SETTINGS) private readonly settings: SharedSettings) {}

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
        this.openedPort = await openKafkaPort(this.settings.kafka, { log: kafkaClientLog() });
        this.openedAdmin = this.openedPort.admin();
        await ensureTopics(this.openedAdmin, this.settings.topics);
        // Every partition has a leader that answers (a new topic on a cluster, an election at boot): wait, do not exit.
        const { topic, deadLetterTopic, changesTopic } = this.settings.topics;
        for (const name of [topic, deadLetterTopic, changesTopic]) await awaitWatermarks(this.openedAdmin, name);
      } catch (error) {
        const { brokers, ssl, sasl } = this.settings.kafka;
        const security = `${ssl ? 'TLS' : 'no TLS'}, ${sasl ? `SASL ${sasl.mechanism} as ${sasl.username}` : 'no SASL'}`;
        throw new Error(`cannot use Kafka at ${brokers.join(',')} (${security}): ${errorReason(error)}; check KAFKA_BROKERS and that KAFKA_SSL / KAFKA_SASL_* match the listener`);
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

  /** The cluster's admin through the port (after ready()). */
  get admin(): KafkaAdmin {
    if (!this.openedAdmin) throw new Error('the Kafka admin is used before KafkaConnections.ready()');
    return this.openedAdmin;
  }

  async onModuleInit(): Promise<void> {
    await this.ready();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.openedAdmin?.close();
  }
}
