import { PartitionLeaders, type RecordSender, type SharedSettings } from '@async2/data-access';
import { KafkaConnections, SHARED_SETTINGS } from '@async2/platform';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { produceErrors } from '../platform/ingest.metrics';
import { CoalescingPublisher, type OutgoingRecord, type PublishOutcome } from './coalescing-publisher';
import { batchBytesLimit } from './produce-request-plan';
import { sendTraced } from './publish-tracing';
import { ShardedPublisher } from './sharded-publisher';

/** Leaders are also read again after every failed send; the timer catches moves between failures. */
const LEADERS_REFRESH_MS = 5000;

/**
 * Twice the publish timeout bounds one send. Why not the publish timeout itself, when the send's
 * callers are answered 503 then anyway: records queued behind a stalled send must be answered 503
 * and withdrawn (never sent) before the next request can leave; with a bound equal to the timeout,
 * records queued during the stall went out to the still-stalled broker through the fresh producer,
 * were appended at its resumption, and a client retry after other eventIds was applied twice
 * (e2e/faults/late-retry.e2e.spec.ts). Only a stall past this bound lets newer records go out.
 */
const SEND_BOUND_FACTOR = 2;

/**
 * The Kafka port's senders (idempotent, acks=all, on the client KAFKA_CLIENT names), each behind a
 * coalescing publisher, PRODUCE_SENDERS of them, each owning a share of the partitions (see
 * ShardedPublisher). A sender checks every answer and takes a new producer id after a failed send
 * (see RecordSender); a send is bounded in time (SEND_BOUND_FACTOR), so a hung client never holds
 * a queue for good.
 */
@Injectable()
export class KafkaPublisher implements OnModuleInit, OnApplicationShutdown {
  private senders: RecordSender[] = [];
  private publisher!: ShardedPublisher;
  private leaders: PartitionLeaders | undefined;
  private readonly logger = new Logger('KafkaPublisher');

  constructor(
    private readonly kafka: KafkaConnections,
    @Inject(SHARED_SETTINGS) private readonly settings: SharedSettings,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.kafka.ready();
    const { topic } = this.settings.topics;
    // Coalesced requests are split by bytes too: one partition's batch above the topic's
    // max.message.bytes makes the broker refuse the whole request (every caller would get 503).
    const maxMessageBytes = await this.kafka.admin.maxMessageBytes(topic);
    this.logger.log(`topic ${topic}: max.message.bytes ${maxMessageBytes}, so at most ${batchBytesLimit(maxMessageBytes)} record bytes per partition in a request`);
    // One leader per request (kafkajs retries a multi-leader send as a whole; see PartitionLeaders),
    // read again after any failed send: a leader change is the likely cause.
    const leaders = new PartitionLeaders(this.kafka.admin, topic, (error) => this.logger.warn(`partition leaders not refreshed: ${error.message}`));
    await leaders.start(LEADERS_REFRESH_MS);
    this.leaders = leaders;
    const { senders, ...options } = this.config.publish;
    const shards = Array.from({ length: senders }, () => {
      const sender = this.kafka.port.sender({ sendTimeoutMs: SEND_BOUND_FACTOR * options.timeoutMs });
      this.senders.push(sender);
      return new CoalescingPublisher(
        sendTraced(topic, (messages: OutgoingRecord[]) =>
          sender.send(topic, messages).catch((error: Error) => {
            produceErrors.inc();
            void leaders.refresh();
            throw error;
          }),
        ),
        { ...options, maxBatchBytes: batchBytesLimit(maxMessageBytes), leaderOf: (partition) => leaders.leaderOf(partition) },
      );
    });
    this.publisher = new ShardedPublisher(shards, options.maxPendingEvents);
  }

  async onApplicationShutdown(): Promise<void> {
    this.leaders?.stop();
    // Requests still waiting get their answers before the connection closes.
    const deadline = Date.now() + 10_000;
    while (this.publisher?.pendingCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(this.senders.map((sender) => sender.close()));
    this.logger.log('producer disconnected');
  }

  publish(records: OutgoingRecord[]): Promise<PublishOutcome[]> {
    return this.publisher.publish(records);
  }
}
