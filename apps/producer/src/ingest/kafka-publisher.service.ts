import { IdempotentSender, PartitionLeaders, type SharedSettings, fetchMaxMessageBytes } from '@async2/data-access';
import { KafkaConnections, SHARED_SETTINGS } from '@async2/platform';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Partitioners } from 'kafkajs';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { produceErrors } from '../platform/ingest.metrics';
import { CoalescingPublisher, type OutgoingRecord, type PublishOutcome } from './coalescing-publisher';
import { batchBytesLimit } from './produce-request-plan';
import { sendTraced } from './publish-tracing';

/** Leaders are also read again after every failed send; the timer catches moves between failures. */
const LEADERS_REFRESH_MS = 5000;

/** The idempotent kafkajs producer (acks=all) behind a coalescing publisher. */
@Injectable()
export class KafkaPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: IdempotentSender;
  private publisher!: CoalescingPublisher;
  private leaders: PartitionLeaders | undefined;
  private readonly logger = new Logger('KafkaPublisher');

  constructor(
    private readonly kafka: KafkaConnections,
    @Inject(SHARED_SETTINGS) private readonly settings: SharedSettings,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
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
  }

  async onModuleInit(): Promise<void> {
    await this.kafka.ready();
    const { topic } = this.settings.topics;
    // Coalesced requests are split by bytes too: one partition's batch above the topic's
    // max.message.bytes makes the broker refuse the whole request (every caller would get 503).
    const maxMessageBytes = await fetchMaxMessageBytes(this.kafka.admin, topic);
    this.logger.log(`topic ${topic}: max.message.bytes ${maxMessageBytes}, so at most ${batchBytesLimit(maxMessageBytes)} record bytes per partition in a request`);
    // One leader per request (kafkajs retries a multi-leader send as a whole; see PartitionLeaders),
    // read again after any failed send: a leader change is the likely cause.
    const leaders = new PartitionLeaders(this.kafka.admin, topic, (error) => this.logger.warn(`partition leaders not refreshed: ${error.message}`));
    await leaders.start(LEADERS_REFRESH_MS);
    this.leaders = leaders;
    this.publisher = new CoalescingPublisher(
      sendTraced(topic, (messages: OutgoingRecord[]) =>
        this.producer.send({ topic, acks: -1, timeout: this.config.publish.timeoutMs, messages }).catch((error: Error) => {
          produceErrors.inc();
          void leaders.refresh();
          throw error;
        }),
      ),
      { ...this.config.publish, topic, maxBatchBytes: batchBytesLimit(maxMessageBytes), leaderOf: (partition) => leaders.leaderOf(partition) },
    );
    await this.producer.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.leaders?.stop();
    // Requests still waiting get their answers before the connection closes.
    const deadline = Date.now() + 10_000;
    while (this.publisher?.pendingCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.producer.disconnect();
    this.logger.log('producer disconnected');
  }

  publish(records: OutgoingRecord[]): Promise<PublishOutcome[]> {
    return this.publisher.publish(records);
  }
}
