import { EventsRepository, FencedOutboxRelay, FlushWriter, ParkedRepository, type RecordSender, type RecordSource, type SourceBatch, awaitPartitionCount, awaitWatermarks } from '@async2/data-access';
import { KafkaConnections } from '@async2/platform';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChangeRelay } from './changes/change-relay';
import { CONSUMER_CONFIG, type ConsumerConfig } from './config/consumer.config';
import { FailPoints } from './faults/fail-point';
import { DeadLetterPublisher } from './flush/dead-letter.publisher';
import { processTraced } from './fold/batch-tracing';
import { foldSlices } from './fold/fold-slices';
import type { OffsetGap } from './fold/offset-gap-guard';
import { ExpirySweep } from './fold/expiry-sweep';
import { FlushScheduler } from './fold/flush-scheduler';
import type { PartitionLane } from './fold/partition-lane';
import { ClaimWatch } from './ownership/claim-watch';
import { ownedPartitions } from './ownership/owned-partitions';
import { kafkaGroupId } from './ownership/kafka-group-id';
import { claimPartitions } from './ownership/partition-claims';
import { reportPartitionGauges, reportPausedPartitions } from './platform/partition-gauges';

/**
 * The longest one DLQ send may take (as long as kafkajs's default request timeout): a hung send
 * becomes a failed flush, retried from a fresh producer, instead of holding the partition for good.
 */
const DLQ_SEND_TIMEOUT_MS = 30_000;

/**
 * The consumer's data path: claim partitions in OPLOG (ownership/) -> fetch (the Kafka port's RecordSource, from OPLOG's offsets) ->
 * fold into each partition's lane (fold/) -> flush when the FlushScheduler says -> one transaction.
 * Every PROGRESS_CHECK_MS the ClaimWatch fences lanes another instance claimed, and the gauges
 * (lag, buffer) are refreshed.
 */
@Injectable()
export class PartitionConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PartitionConsumer');
  private lanes = new Map<number, PartitionLane>();
  private source: RecordSource | undefined;
  private dlqSender: RecordSender | undefined;
  private changesSender: RecordSender | undefined;
  private relay: ChangeRelay | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private readonly failPoints: FailPoints;
  /** The Kafka group (a transport): one per ownership, see kafkaGroupId. */
  private readonly groupId: string;
  private readonly scheduler: FlushScheduler;
  private claimWatch: ClaimWatch | undefined;
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
    this.scheduler = new FlushScheduler(
      {
        pause: (partition) => this.pauseFetching(partition),
        resume: (partition) => this.source?.resume(partition),
        committed: (lane) => this.mirrorOffset(lane),
      },
      this.logger,
      () => reportPausedPartitions(this.lanes.values()),
    );
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
    const { topic, deadLetterTopic, changesTopic } = this.config.topics;
    await this.kafka.ready();
    const partitionCount = await awaitPartitionCount(this.kafka.admin, topic);
    const owned = ownedPartitions(this.config.partitions, partitionCount);
    // Through the Kafka port (KAFKA_CLIENT): DLQ and change records are given their partition where they are built.
    this.dlqSender = this.kafka.port.sender({ sendTimeoutMs: DLQ_SEND_TIMEOUT_MS });
    // The relay never starts a send on a lock older than half of PostgreSQL's idle-in-transaction
    // timeout (FencedOutboxRelay), and its send is bounded by the other half: each send is answered
    // or failed before PostgreSQL may end the session and drop the lock.
    const maxLockAgeMs = this.config.database.idleInTransactionTimeoutMs / 2;
    this.changesSender = this.kafka.port.sender({ sendTimeoutMs: maxLockAgeMs });
    const relay = new ChangeRelay({
      outbox: new FencedOutboxRelay(this.dataSource, this.oplogKey(), maxLockAgeMs),
      sender: this.changesSender,
      topic: changesTopic,
      partitionCount: await awaitPartitionCount(this.kafka.admin, changesTopic),
      claims: () => [...this.lanes.values()].filter((l) => !l.fenced).map((l) => ({ partition: l.partition, epoch: l.epoch })),
      logger: new Logger('ChangeRelay'),
      failPoints: this.failPoints,
    });
    this.relay = relay;
    const events = new EventsRepository(this.dataSource);
    const deps = {
      events,
      parked: new ParkedRepository(this.dataSource),
      writer: new FlushWriter(this.dataSource, { beforeCommit: () => this.failPoints.reach('after-upsert') }),
      deadLetters: new DeadLetterPublisher(this.dlqSender, deadLetterTopic, topic, await awaitPartitionCount(this.kafka.admin, deadLetterTopic)),
      key: { consumerGroup: this.config.consumerGroup, topic },
      limits: this.config.limits,
      partitionCount,
      logger: this.logger,
      failPoints: this.failPoints,
      changesCommitted: () => relay.wake(),
      expirySweep: (partition: number) => new ExpirySweep(events, partition, { intervalMs: this.config.ttlSweepIntervalMs, maxIds: this.config.ttlSweepMaxIds }),
    };
    const topicId = await this.kafka.admin.topicId(topic);
    this.claimWatch = new ClaimWatch(this.dataSource, this.oplogKey(), this.logger);
    this.lanes = await claimPartitions(owned, this.config, this.dataSource, this.kafka.admin, topicId, deps, this.logger);
    reportPausedPartitions(this.lanes.values()); // a partition can stop at a gap at its claim
    this.topicPartitions = partitionCount;
    relay.start(this.config.changeRelayPollMs); // first run: what a crashed owner committed but did not publish

    // Through the Kafka port (KAFKA_CLIENT): each partition from OPLOG's offset; lanes stopped at a gap are not read.
    const from = new Map([...this.lanes.values()].filter((l) => !l.fenced && !l.stoppedAtGap).map((l) => [l.partition, l.buffer.nextOffset]));
    this.source = await this.kafka.port.source({
      topic,
      from,
      groupId: this.groupId,
      handle: (batch) => this.onBatch(batch),
      maxWaitMs: 100,
      groupTiming: { sessionTimeoutMs: this.config.kafkaSessionTimeoutMs, rebalanceTimeoutMs: this.config.kafkaRebalanceTimeoutMs },
      onFailure: (error) => this.logger.error(`fetching stopped: ${error.message}`),
      onRetry: (error) => this.logger.warn(`fetch failed, retrying: ${error.message}`),
    });
    this.flushTimer = setInterval(() => this.scheduler.flushAll(this.lanes.values()), this.config.flushIntervalMs);
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
    await this.source?.close();
    const deadline = Date.now() + this.config.shutdownFlushTimeoutMs;
    for (const lane of this.lanes.values()) {
      await lane.serial(() => this.scheduler.flushWithRetry(lane, () => Date.now() < deadline));
    }
    // Bounded like the flush: what is not published stays in the outbox for the next owner.
    const relayWait = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref());
    await Promise.race([this.relay?.drain(), relayWait]).catch((error: Error) => this.logger.warn(`changes left in the outbox for the next owner: ${error.message}`));
    await this.dlqSender?.close();
    await this.changesSender?.close();
    this.logger.log('stopped: every folded event is committed');
  }

  private async onBatch(batch: SourceBatch): Promise<void> {
    const lane = this.lanes.get(batch.partition);
    if (!lane || lane.fenced || lane.stoppedAtGap) {
      // Not ours (any more), or stopped at a gap: stop fetching it.
      this.source?.pause(batch.partition);
      return;
    }
    await processTraced(batch, () => lane.serial(async () => {
      const slice = foldSlices();
      for (const record of batch.records) {
        if (!batch.isCurrent() || this.stopping || lane.fenced) return;
        const step = lane.fold(record);
        if (step === 'seek-back') {
          this.source?.seek(batch.partition, lane.buffer.nextOffset);
          return;
        }
        if (step === 'stopped') {
          this.pauseFetching(batch.partition);
          return;
        }
        const full = lane.isFull({ maxIds: this.config.bufferMaxIds, maxBytes: this.config.bufferMaxBytes });
        if (full || lane.buffer.uncommittedEvents >= this.config.flushMaxEvents) {
          await this.scheduler.flushBeforeFetchingMore(lane, full, () => !this.stopping, () => batch.heartbeat());
        }
        const turn = slice(); // between two records: a flush's round trips are answered during a long batch
        if (turn) await turn;
      }
      lane.loadWaitingRows(); // the rows of IDs not held, loaded beside the fold rather than inside the next flush
    }));
  }

  /** Periodic: is every claim still ours (a zombie stops before its next flush), and the gauges. */
  private async checkProgress(): Promise<void> {
    for (const lane of (await this.claimWatch?.fenceStale(this.lanes.values())) ?? []) this.pauseFetching(lane.partition);
    try {
      const watermarks = await awaitWatermarks(this.kafka.admin, this.config.topics.topic);
      reportPartitionGauges(this.lanes.values(), new Map([...watermarks].map(([p, w]) => [p, w.high])));
      reportPausedPartitions(this.lanes.values());
    } catch (error) {
      this.logger.warn(`lag refresh failed: ${(error as Error).message}`);
    }
  }

  /** Stops fetching one partition (fenced, stopped at a gap, or waiting for a flush) and says so in the gauge. */
  private pauseFetching(partition: number): void {
    this.source?.pause(partition);
    reportPausedPartitions(this.lanes.values());
  }

  /** Mirrors OPLOG's offset into the group for external lag tools; never read back as truth. */
  private mirrorOffset(lane: PartitionLane): void {
    if (lane.fenced || this.stopping) return;
    this.source?.mirrorCommitted(lane.partition, lane.buffer.committedOffset);
  }
}
