import { EventsSnapshotRepository, awaitPartitionCount, awaitWatermarks } from '@async2/data-access';
import { type CommittedChange, formatChangeCursor, parseChangeCursor } from '@async2/domain';
import { KafkaConnections } from '@async2/platform';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { DataSource } from 'typeorm';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { OverloadedError } from '../ingest/ingest-errors';
import { ChangeSubscription } from './change-subscription';
import { SseSink } from './sse-sink';

export interface SnapshotPage {
  /** Only on the first page: the change topic's end offsets, taken before any row was read. */
  cursor?: string;
  changes: CommittedChange[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

/**
 * The change stream's read side: SSE subscribers of the change topic, and the snapshot that a
 * replica loads first. The snapshot's cursor is taken BEFORE its rows are read, so every change
 * committed after a row was read is at or after the cursor (the relay publishes after COMMIT):
 * snapshot + stream from the cursor misses nothing (it may repeat a change, with its version).
 */
@Injectable()
export class ChangeStreamService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('ChangeStream');
  private readonly subscriptions = new Set<ChangeSubscription>();
  private partitionCount: number | undefined;
  private readonly snapshots: EventsSnapshotRepository;

  constructor(
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
    private readonly kafka: KafkaConnections,
    dataSource: DataSource,
  ) {
    this.snapshots = new EventsSnapshotRepository(dataSource);
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Parses a cursor from a client (Last-Event-ID or `cursor`); undefined: start at the end. */
  async startingPoint(raw: string | undefined, field: string): Promise<Map<number, number>> {
    const count = await this.changePartitionCount();
    if (raw === undefined || raw === '') return this.endOffsets();
    return parseChangeCursor(raw, count, field);
  }

  /** Refuses a new subscriber beyond CHANGES_MAX_SUBSCRIBERS (429, before the stream starts). */
  assertRoom(): void {
    if (this.subscriptions.size >= this.config.changes.maxSubscribers) {
      throw new OverloadedError(`too many change subscribers (CHANGES_MAX_SUBSCRIBERS=${this.config.changes.maxSubscribers}); retry later`, 5);
    }
  }

  /** Streams changes from `from` to the response until the client leaves or is dropped. */
  async subscribe(response: ServerResponse, from: Map<number, number>, prefix: string): Promise<void> {
    const sink = new SseSink(response);
    const subscription = new ChangeSubscription(
      sink,
      {
        port: this.kafka.port,
        topic: this.config.topics.changesTopic,
        from,
        prefix,
        heartbeatMs: this.config.changes.heartbeatMs,
        bufferBytes: this.config.changes.subscriberBufferBytes,
        slowSubscriberTimeoutMs: this.config.changes.slowSubscriberTimeoutMs,
        logger: this.logger,
      },
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    response.on('close', () => void subscription.close());
    sink.open(1000);
    try {
      await subscription.start();
    } catch (error) {
      await subscription.drop('stream-failed', `the change topic cannot be read: ${(error as Error).message}`);
    }
  }

  async snapshotPage(prefix: string, afterId: string | undefined, limit: number): Promise<SnapshotPage> {
    const cursor = afterId === undefined ? formatChangeCursor(await this.endOffsets()) : undefined;
    const changes = await this.snapshots.page({ prefix, afterId, limit });
    return { ...(cursor === undefined ? {} : { cursor }), changes, next: changes.length < limit ? null : changes[changes.length - 1].id };
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.drop('shutting-down', 'the server is shutting down; reconnect with the cursor')));
  }

  private async endOffsets(): Promise<Map<number, number>> {
    const watermarks = await awaitWatermarks(this.kafka.admin, this.config.topics.changesTopic);
    return new Map([...watermarks].map(([partition, { high }]) => [partition, high]));
  }

  private async changePartitionCount(): Promise<number> {
    this.partitionCount ??= await awaitPartitionCount(this.kafka.admin, this.config.topics.changesTopic);
    return this.partitionCount;
  }
}
