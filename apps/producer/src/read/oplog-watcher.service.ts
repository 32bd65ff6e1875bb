import { OplogRepository, type SharedSettings } from '@async2/data-access';
import { KafkaConnections, SHARED_SETTINGS } from '@async2/platform';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';

// How long a read of the topic's id is trusted: a topic recreated under a running producer is
// noticed within this, and until it is, no answer comes from the shortcut of an earlier poll.
const TOPIC_ID_TTL_MS = 5000;

interface Waiter {
  partition: number;
  offset: number;
  resolve: (reached: boolean) => void;
}

/**
 * Waits until OPLOG shows a partition applied past an offset. One poll of OPLOG serves every
 * waiting request, and it polls only while someone waits. Only OPLOG rows of the topic Kafka has
 * now count (same topic id): an OPLOG folded from an older topic of the same name, which the
 * consumer refuses to resume, must not answer `after=` for records it never applied.
 */
@Injectable()
export class OplogWatcher implements OnApplicationShutdown {
  private readonly oplog: OplogRepository;
  private readonly waiters = new Set<Waiter>();
  private readonly known = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('OplogWatcher');
  private topicId: { id: string; readAt: number } | undefined;
  private readingTopicId: Promise<string> | undefined;

  constructor(
    dataSource: DataSource,
    private readonly kafka: KafkaConnections,
    @Inject(SHARED_SETTINGS) private readonly settings: SharedSettings,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
  ) {
    this.oplog = new OplogRepository(dataSource);
  }

  /** Last seen next_offset of a partition (undefined when no consumer has claimed it yet). */
  appliedUpTo(partition: number): number | undefined {
    return this.known.get(partition);
  }

  /** Resolves true once next_offset > offset (the write at `offset` is in EVENTS), false after timeoutMs. */
  async waitPast(partition: number, offset: number, timeoutMs: number): Promise<boolean> {
    // next_offset only grows: a value already seen past the write answers without a query.
    if (this.reached(partition, offset)) return true;
    await this.poll();
    if (this.reached(partition, offset)) return true;
    if (timeoutMs === 0) return false;
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        partition,
        offset,
        resolve: (reached) => {
          clearTimeout(deadline);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const deadline = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.waiters.add(waiter);
      this.ensurePolling();
    });
  }

  onApplicationShutdown(): void {
    for (const waiter of this.waiters) waiter.resolve(false);
    clearTimeout(this.timer);
  }

  private reached(partition: number, offset: number): boolean {
    if (!this.topicId || Date.now() - this.topicId.readAt > TOPIC_ID_TTL_MS) return false;
    return (this.known.get(partition) ?? 0) > offset;
  }

  private ensurePolling(): void {
    if (this.timer || this.waiters.size === 0) return;
    this.timer = setTimeout(async () => {
      await this.poll();
      for (const waiter of this.waiters) {
        if (this.reached(waiter.partition, waiter.offset)) waiter.resolve(true);
      }
      this.timer = undefined;
      this.ensurePolling();
    }, this.config.readAfterPollMs);
  }

  private async poll(): Promise<void> {
    try {
      const topicId = await this.currentTopicId();
      const offsets = await this.oplog.nextOffsets({ consumerGroup: this.settings.consumerGroup, topic: this.settings.topics.topic }, topicId);
      this.known.clear();
      for (const [partition, next] of offsets) this.known.set(partition, next);
    } catch (error) {
      this.known.clear();
      this.logger.warn(`reading OPLOG failed: ${(error as Error).message}`);
    }
  }

  /** The topic's id, read again once TOPIC_ID_TTL_MS old; concurrent polls share one read. */
  private async currentTopicId(): Promise<string> {
    if (this.topicId && Date.now() - this.topicId.readAt <= TOPIC_ID_TTL_MS) return this.topicId.id;
    this.readingTopicId ??= (async () => {
      const readAt = Date.now();
      try {
        this.topicId = { id: await this.kafka.admin.topicId(this.settings.topics.topic), readAt };
        return this.topicId.id;
      } finally {
        this.readingTopicId = undefined;
      }
    })();
    return this.readingTopicId;
  }
}
