import { EventsRepository, FencedOutboxRelay, FlushWriter, IdempotentSender, OplogRepository, cachedPartitionCounts, fetchPartitionCount, fetchTopicId, fetchWatermarks } from '@async2/data-access';
import { KafkaConnections } from '@async2/platform';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Consumer, type EachBatchPayload, Partitioners } from 'kafkajs';
import { DataSource } from 'typeorm';
import { ChangeRelay } from './changes/change-relay';
import { CONSUMER_CONFIG, type ConsumerConfig } from './config/consumer.config';
import { FailPoints } from './faults/fail-point';
import { DeadLetterPublisher } from './flush/dead-letter.publisher';
import { processTraced } from './fold/batch-tracing';
import type { OffsetGap } from './fold/offset-gap-guard';
import type { PartitionLane } from './fold/partition-lane';
import { ownedPartitions } from './ownership/owned-partitions';
import { kafkaGroupId } from './ownership/kafka-group-id';
import { claimPartitions } from './ownership/partition-claims';
import { staticPartitionAssigner } from './ownership/static-partition.assigner';
import { bufferedBytes, bufferedEvents, cachedIds, partitionLag, pausedPartitions } from './platform/consumer.metrics';

const MAX_FLUSH_BACKOFF_MS = 5000;

/**
 * The consumer's data path: claim partitions in OPLOG -> fetch (kafkajs eachBatch) -> fold into
 * each partition's lane -> flush every FLUSH_INTERVAL_MS or FLUSH_MAX_EVENTS -> one transaction.
 * Backpressure: when a lane's uncommitted IDs or bytes reach their bound, that partition's fetching
 * pauses and its batch waits for a flush to commit (retrying with backoff while PostgreSQL is
 * slow or down), so memory stays bounded whatever the database does.
 */
@Injectable()
export class PartitionConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PartitionConsumer');
  private lanes = new Map<number, PartitionLane>();
  private consumer: Consumer | undefined;
  private dlqProducer: IdempotentSender | undefined;
  private changesProducer: IdempotentSender | undefined;
  private relay: ChangeRelay | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private readonly failPoints: FailPoints;
  /** The Kafka group (a transport): one per ownership, see kafkaGroupId. */
  private readonly groupId: string;
  private readonly flushQueued = new Set<number>();
  private stopping = false;
  /** The topic's partition count, 0 until the claims are made (reads answer "starting" until then). */
  private topicPartitions = 0;

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    private readonly kafka: KafkaConnections,
    private readonly dataSource: DataSource,
  ) {
    this.failPoints = new FailPoints(config.failPoint);
    this.groupId = kafkaGroupId(config.consumerGroup, config.partitions);
  }

  /** Partitions this instance owns and has not been fenced from. */
  activePartitions(): number[] {
    return [...this.lanes.values()].filter((l) => !l.fenced).map((l) => l.partition);
  }

  /** Partitions this instance was fenced from: when and why (liveness fails after a grace period). */
  fencedPartitions(): Array<{ partition: number; at: number; reason: string }> {
    return [...this.lanes.values()].flatMap((l) => (l.fencedSince ? [{ partition: l.partition, ...l.fencedSince }] : []));
  }

  /** The lane of an owned partition (fenced or not), for fresh reads; undefined when not owned. */
  laneFor(partition: number): PartitionLane | undefined {
    return this.lanes.get(partition);
  }

  /** This consumer's OPLOG key (group and topic). */
  oplogKey(): { consumerGroup: string; topic: string } {
    return { consumerGroup: this.config.consumerGroup, topic: this.config.topics.topic };
  }

  /** Owned partitions, and the topic's partition count (0 before the claims are made). */
  ownership(): { partitionCount: number; owned: number[] } {
    return { partitionCount: this.topicPartitions, owned: [...this.lanes.keys()] };
  }

  /** Per owned partition: epoch, offset folded up to (in memory), offset committed (in OPLOG), and the gap it stopped at. */
  progress(): Array<{ partition: number; epoch: number; fenced: boolean; paused: boolean; foldedUpTo: number; committedUpTo: number; stoppedAtGap?: OffsetGap }> {
    return [...this.lanes.values()].map((l) => ({
      partition: l.partition,
      epoch: l.epoch,
      fenced: l.fenced,
      paused: l.paused,
      foldedUpTo: l.buffer.nextOffset,
      committedUpTo: l.buffer.committedOffset,
      ...(l.stoppedAtGap ? { stoppedAtGap: l.stoppedAtGap } : {}),
    }));
  }

  async onApplicationBootstrap(): Promise<void> {
    const { topic, deadLetterTopic } = this.config.topics;
    await this.kafka.ready();
    const partitionCount = await fetchPartitionCount(this.kafka.admin, topic);
    const owned = ownedPartitions(this.config.partitions, partitionCount);
    // The senders give DLQ and change records their partition, so every answer can be checked.
    const partitionCounts = cachedPartitionCounts(this.kafka.admin);
    this.dlqProducer = new IdempotentSender(() =>
      this.kafka.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
      partitionCounts,
    );
    await this.dlqProducer.connect();
    this.changesProducer = new IdempotentSender(() =>
      this.kafka.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
      partitionCounts,
    );
    await this.changesProducer.connect();
    const relay = new ChangeRelay({
      outbox: new FencedOutboxRelay(this.dataSource, this.oplogKey(), this.config.database.idleInTransactionTimeoutMs / 2),
      producer: this.changesProducer,
      topic: this.config.topics.changesTopic,
      claims: () => [...this.lanes.values()].filter((l) => !l.fenced).map((l) => ({ partition: l.partition, epoch: l.epoch })),
      logger: new Logger('ChangeRelay'),
      failPoints: this.failPoints,
    });
    this.relay = relay;
    const deps = {
      events: new EventsRepository(this.dataSource),
      writer: new FlushWriter(this.dataSource, { beforeCommit: () => this.failPoints.reach('after-upsert') }),
      deadLetters: new DeadLetterPublisher(this.dlqProducer, deadLetterTopic, topic),
      key: { consumerGroup: this.config.consumerGroup, topic },
      limits: this.config.limits,
      partitionCount,
      logger: this.logger,
      failPoints: this.failPoints,
      changesCommitted: () => relay.wake(),
    };
    const topicId = await fetchTopicId(this.kafka.kafka, topic);
    this.lanes = await claimPartitions(owned, this.config, this.dataSource, this.kafka.admin, topicId, deps, this.logger);
    await this.alignGroupOffsets();
    this.topicPartitions = partitionCount;
    relay.start(this.config.changeRelayPollMs); // first run: what a crashed owner committed but did not publish

    this.consumer = this.kafka.kafka.consumer({
      groupId: this.groupId,
      partitionAssigners: [staticPartitionAssigner(owned)],
      maxWaitTimeInMs: 100,
      sessionTimeout: this.config.kafkaSessionTimeoutMs,
      rebalanceTimeout: this.config.kafkaRebalanceTimeoutMs,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const assigned = Object.entries(event.payload.memberAssignment).map(([t, ps]) => `${t} [${ps.join(', ')}]`).join('; ');
      this.logger.log(`joined Kafka group ${this.groupId} (leader: ${event.payload.isLeader}): assigned ${assigned || 'nothing'}`);
      this.seekToFoldPositions();
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, owned.length),
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.flushTimer = setInterval(() => this.flushAllOnTimer(), this.config.flushIntervalMs);
    this.progressTimer = setInterval(() => void this.checkProgress(), this.config.progressCheckMs);
    this.progressTimer.unref();
    this.logger.log(`consuming ${topic} partitions [${owned.join(', ')}] as ${this.config.instanceId} (OPLOG group ${this.config.consumerGroup}, Kafka group ${this.groupId})`);
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.stopping = true;
    for (const lane of this.lanes.values()) lane.position.cancelAll();
    clearInterval(this.flushTimer);
    clearInterval(this.progressTimer);
    this.logger.log(`stopping (${signal ?? 'shutdown'}): no more fetching, flushing what was folded`);
    await this.consumer?.stop();
    const deadline = Date.now() + this.config.shutdownFlushTimeoutMs;
    for (const lane of this.lanes.values()) {
      await lane.serial(() => this.flushWithRetry(lane, () => Date.now() < deadline));
    }
    // Bounded like the flush: what is not published stays in the outbox for the next owner.
    const relayWait = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref());
    await Promise.race([this.relay?.drain(), relayWait]).catch((error: Error) => this.logger.warn(`changes left in the outbox for the next owner: ${error.message}`));
    await this.consumer?.disconnect();
    await this.dlqProducer?.disconnect();
    await this.changesProducer?.disconnect();
    this.logger.log('stopped: every folded event is committed');
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const lane = this.lanes.get(batch.partition);
    if (!lane || lane.fenced || lane.stoppedAtGap) {
      // Not ours (any more), or stopped at a gap: stop fetching it. Returning without resolving an offset would make
      // kafkajs hand us this same batch again at once, in a loop, until the process stops.
      this.consumer?.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
      return;
    }
    await processTraced(batch, () => lane.serial(async () => {
      for (const message of batch.messages) {
        if (!isRunning() || isStale() || lane.fenced) return;
        const step = lane.fold(message);
        if (step === 'seek-back') {
          this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: String(lane.buffer.nextOffset) });
          return;
        }
        if (step === 'stopped') {
          this.consumer?.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          this.reportPaused();
          return;
        }
        resolveOffset(message.offset);
        const full = lane.isFull({ maxIds: this.config.bufferMaxIds, maxBytes: this.config.bufferMaxBytes });
        if (full || lane.buffer.uncommittedEvents >= this.config.flushMaxEvents) {
          await this.flushBeforeFetchingMore(lane, batch.topic, full, () => isRunning() && !this.stopping, heartbeat);
        }
      }
    }));
    await heartbeat();
  }

  /**
   * FLUSH_MAX_EVENTS or a buffer bound was reached: flush before folding more. When the buffer is
   * full, or the flush fails (PostgreSQL slow or down), this partition's fetching pauses until a
   * flush commits, so memory stays bounded however long the database is away.
   */
  private async flushBeforeFetchingMore(lane: PartitionLane, topic: string, full: boolean, keepTrying: () => boolean, heartbeat: () => Promise<void>): Promise<void> {
    if (!full) {
      try {
        await lane.flush();
        this.mirrorOffset(lane);
        return;
      } catch (error) {
        lane.lastFlushError = error as Error;
        this.logger.error(`partition ${lane.partition}: flush failed, keeping the buffer: ${(error as Error).message}`);
      }
    }
    lane.paused = true;
    this.consumer?.pause([{ topic, partitions: [lane.partition] }]);
    this.reportPaused();
    const why = full ? `buffer full (${lane.buffer.uncommittedIds} IDs, ${lane.buffer.uncommittedBytes} bytes uncommitted)` : 'the flush failed';
    this.logger.warn(`partition ${lane.partition}: ${why}: fetching paused until a flush commits`);
    try {
      await this.flushWithRetry(lane, keepTrying, heartbeat);
      this.mirrorOffset(lane);
    } finally {
      lane.paused = false;
      if (!lane.fenced) this.consumer?.resume([{ topic, partitions: [lane.partition] }]);
      this.reportPaused();
    }
  }

  /** Flushes, retrying with backoff while `keepTrying()`; throws when it gives up with work left. */
  private async flushWithRetry(lane: PartitionLane, keepTrying: () => boolean, heartbeat?: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await lane.flush();
        return;
      } catch (error) {
        lane.lastFlushError = error as Error;
        this.logger.error(`partition ${lane.partition}: flush failed (attempt ${attempt + 1}), keeping the buffer: ${(error as Error).message}`);
        if (!keepTrying()) throw error;
        await new Promise((r) => setTimeout(r, Math.min(MAX_FLUSH_BACKOFF_MS, 100 * 2 ** attempt)));
        await heartbeat?.();
      }
    }
  }

  private flushAllOnTimer(): void {
    for (const lane of this.lanes.values()) {
      if (lane.fenced || this.flushQueued.has(lane.partition) || !lane.buffer.hasUncommitted) continue;
      this.flushQueued.add(lane.partition);
      void lane
        .serial(() => lane.flush())
        .then(() => this.mirrorOffset(lane))
        .catch((error: Error) => {
          lane.lastFlushError = error;
          this.logger.error(`partition ${lane.partition}: flush failed, will retry: ${error.message}`);
        })
        .finally(() => this.flushQueued.delete(lane.partition));
    }
  }

  /**
   * After every group join, fetching must restart where our fold is, not at the group's committed
   * offset. (The fold's offset guard still protects against fetches that start elsewhere.)
   */
  private seekToFoldPositions(): void {
    for (const lane of this.lanes.values()) {
      if (lane.fenced || lane.stoppedAtGap) continue;
      this.consumer?.seek({ topic: this.config.topics.topic, partition: lane.partition, offset: String(lane.buffer.nextOffset) });
    }
  }

  /** Before joining, point the group's offsets at OPLOG's, which narrows the window before the seek lands. */
  private async alignGroupOffsets(): Promise<void> {
    try {
      await this.kafka.admin.setOffsets({
        groupId: this.groupId,
        topic: this.config.topics.topic,
        partitions: [...this.lanes.values()].map((l) => ({ partition: l.partition, offset: String(l.buffer.nextOffset) })),
      });
    } catch (error) {
      // Fails while other members are active in the group; the seek on join covers it.
      this.logger.debug?.(`group offsets not aligned before join: ${(error as Error).message}`);
    }
  }

  /** Periodic: is every claim still ours (a zombie stops before its next flush), and the lag. */
  private async checkProgress(): Promise<void> {
    await this.checkClaims();
    await this.refreshLag();
  }

  /** An OPLOG epoch that is no longer ours means another instance claimed the partition: fence it now. */
  private async checkClaims(): Promise<void> {
    try {
      const claims = await new OplogRepository(this.dataSource).claims({ consumerGroup: this.config.consumerGroup, topic: this.config.topics.topic });
      for (const lane of this.lanes.values()) {
        const claim = claims.get(lane.partition);
        if (lane.fenced || !claim || claim.epoch === lane.epoch) continue;
        lane.fence(`OPLOG shows epoch ${claim.epoch} owned by ${claim.owner}`);
        this.consumer?.pause([{ topic: this.config.topics.topic, partitions: [lane.partition] }]);
        this.reportPaused();
      }
    } catch (error) {
      this.logger.warn(`claim check failed: ${(error as Error).message}`);
    }
  }

  /** Lag = high watermark - OPLOG.next_offset (this instance's last commit), per owned partition. */
  private async refreshLag(): Promise<void> {
    try {
      const watermarks = await fetchWatermarks(this.kafka.admin, this.config.topics.topic);
      for (const lane of this.lanes.values()) {
        const labels = { partition: String(lane.partition) };
        const high = watermarks.get(lane.partition)?.high ?? lane.buffer.committedOffset;
        partitionLag.set(labels, Math.max(0, high - lane.buffer.committedOffset));
        bufferedEvents.set(labels, lane.buffer.uncommittedEvents);
        cachedIds.set(labels, lane.buffer.cachedIds);
        bufferedBytes.set(labels, lane.buffer.uncommittedBytes);
      }
      this.reportPaused();
    } catch (error) {
      this.logger.warn(`lag refresh failed: ${(error as Error).message}`);
    }
  }

  /** Paused partitions by reason, set whenever a lane pauses, resumes or is fenced. */
  private reportPaused(): void {
    const lanes = [...this.lanes.values()];
    pausedPartitions.set({ reason: 'fenced' }, lanes.filter((l) => l.fenced).length);
    pausedPartitions.set({ reason: 'offset-gap' }, lanes.filter((l) => !l.fenced && l.stoppedAtGap).length);
    pausedPartitions.set({ reason: 'buffer-full' }, lanes.filter((l) => !l.fenced && !l.stoppedAtGap && l.paused).length);
  }

  /** Mirrors OPLOG's offset into the group for external lag tools; never read back as truth. */
  private mirrorOffset(lane: PartitionLane): void {
    if (lane.fenced || !this.consumer || this.stopping) return;
    this.consumer
      .commitOffsets([{ topic: this.config.topics.topic, partition: lane.partition, offset: String(lane.buffer.committedOffset) }])
      .catch(() => undefined);
  }
}
