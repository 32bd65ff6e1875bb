import { IdempotentSender, type SharedSettings } from '@async2/data-access';
import { KafkaConnections, SHARED_SETTINGS } from '@async2/platform';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Partitioners } from 'kafkajs';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { produceErrors } from '../platform/ingest.metrics';
import { CoalescingPublisher, type OutgoingRecord, type PublishOutcome } from './coalescing-publisher';
import { sendTraced } from './publish-tracing';

/** The idempotent kafkajs producer (acks=all) behind a coalescing publisher. */
@Injectable()
export class KafkaPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: IdempotentSender;
  private readonly publisher: CoalescingPublisher;
  private readonly logger = new Logger('KafkaPublisher');

  constructor(
    private readonly kafka: KafkaConnections,
    @Inject(SHARED_SETTINGS) settings: SharedSettings,
    @Inject(PRODUCER_CONFIG) config: ProducerConfig,
  ) {
    // Idempotence makes the broker drop a retried batch it already stored, so kafkajs's own retries
    // never duplicate; it requires one request in flight, which also keeps per-partition order.
    // Records carry an explicit partition (ours); the partitioner option only silences kafkajs's v2 notice.
    // After a failed send the sender takes a new producer id (see IdempotentSender): a batch whose
    // outcome was unknown must never make the broker take the next one for its duplicate.
    this.producer = new IdempotentSender(() =>
      kafka.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    );
    this.publisher = new CoalescingPublisher(
      sendTraced(settings.topics.topic, (messages: OutgoingRecord[]) =>
        this.producer.send({ topic: settings.topics.topic, acks: -1, timeout: config.publish.timeoutMs, messages }).catch((error: Error) => {
          produceErrors.inc();
          throw error;
        }),
      ),
      { ...config.publish, topic: settings.topics.topic },
    );
  }

  async onModuleInit(): Promise<void> {
    await this.kafka.ready();
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    // Requests still waiting get their answers before the connection closes.
    const deadline = Date.now() + 10_000;
    while (this.publisher.pendingCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.producer.disconnect();
    this.logger.log('producer disconnected');
  }

  publish(records: OutgoingRecord[]): Promise<PublishOutcome[]> {
    return this.publisher.publish(records);
  }
}
