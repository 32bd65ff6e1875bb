import { decodeEventRecord, encodeEventRecord, type EventsRepository, type FlushWriter, type OplogKey, type SourceRecord } from '@async2/data-access';
import { type EventLimits, type FlushPlan, type PartitionBuffer, misplacedRecord } from '@async2/domain';
import type { Logger } from '@nestjs/common';
import type { FailPoints } from '../faults/fail-point';
import type { DeadLetter, DeadLetterPublisher } from '../flush/dead-letter.publisher';
import { FoldPositionWaiters } from '../fresh-read/fold-position-waiters';
import * as metrics from '../platform/consumer.metrics';
import { describeFlushPlan, withFlushSpan } from './flush-tracing';
import { FlushWindow } from './flush-window';
import { type OffsetGap, OffsetGapGuard } from './offset-gap-guard';

export interface LaneDependencies {
  events: EventsRepository;
  writer: FlushWriter;
  deadLetters: DeadLetterPublisher;
  key: OplogKey;
  limits: EventLimits;
  /**
   * P as read from the topic's metadata at the claim: a record whose id hashes to another partition
   * goes to the DLQ. Undefined only in tests that write records to partitions by hand.
   */
  partitionCount?: number;
  logger: Logger;
  failPoints: FailPoints;
  /** Called after every committed flush: its changes wait in the outbox for the relay. */
  changesCommitted?: () => void;
}

/** What the consumer loop does after offering a record to the lane ('stopped': at a gap, stop fetching it). */
export type FoldStep = 'folded' | 'already-applied' | 'seek-back' | 'stopped';

export type FlushOutcome = 'idle' | 'committed' | 'fenced';

/**
 * One owned partition: its fold buffer, the epoch its claim got, and the flush that makes the fold
 * durable. All work on a lane runs one task at a time (`serial`), so a flush never sees a half-folded
 * batch. Folding never waits for I/O: records for IDs not in memory, and dead letters, wait for the flush.
 */
export class PartitionLane {
  private chain: Promise<unknown> = Promise.resolve();
  private deadLetters: DeadLetter[] = [];
  /** Bytes of records waiting for their ID's row, by offset: one rejected at the flush is dead-lettered as it arrived. */
  private pendingBytes = new Map<number, { key: Buffer | null; value: Buffer | null }>();
  private isFenced = false;
  /** When and why this lane was fenced (liveness turns down after a grace period: see fenced-liveness.ts). */
  fencedSince: { at: number; reason: string } | undefined;
  flushes = 0;
  private reportedDuplicates = 0;
  private reportedCopies = 0;
  lastFlushError: Error | undefined;
  /** Fetching is paused because the buffer reached a bound; a committed flush resumes it. */
  paused = false;
  /** Bytes, producer timestamps and trace headers of what was folded since the last commit. */
  readonly window: FlushWindow;
  /** Fresh reads waiting for the fold to pass an offset; woken as the fold advances. */
  readonly position = new FoldPositionWaiters();

  constructor(
    readonly partition: number,
    readonly epoch: number,
    readonly buffer: PartitionBuffer,
    private readonly deps: LaneDependencies,
    private readonly gapGuard = new OffsetGapGuard(partition, undefined),
  ) {
    this.window = new FlushWindow(partition);
  }

  get fenced(): boolean {
    return this.isFenced;
  }

  /** The gap in offsets this partition stopped at (fail closed), if any: nothing past it is folded. */
  get stoppedAtGap(): OffsetGap | undefined {
    return this.gapGuard.gap;
  }

  /** Says it everywhere an operator looks: the log, the counter (alerted on); readiness reads stoppedAtGap. */
  reportGap(): void {
    const gap = this.gapGuard.gap;
    if (!gap) return;
    metrics.offsetGaps.inc({ partition: String(this.partition) });
    this.position.cancelAll();
    this.deps.logger.error(
      `partition ${this.partition}: offsets ${gap.from}..${gap.to} were removed from Kafka before they were applied (retention or deleteRecords); the partition stopped at ${gap.from}. ` +
        `To accept losing them and go on, restart with ACCEPT_OFFSET_GAP=${this.partition}:${gap.resumeAt} (docs/operations.md, "A gap in a partition's offsets")`,
    );
  }

  /**
   * Another instance holds the partition now (OPLOG's epoch is no longer ours): stop at once, before
   * a flush would find out. Nothing is written; the new owner resumes from OPLOG.
   */
  fence(reason: string): void {
    if (this.isFenced) return;
    this.isFenced = true;
    this.fencedSince = { at: Date.now(), reason };
    metrics.fencedClaims.inc({ partition: String(this.partition) });
    this.position.cancelAll();
    this.deps.logger.error(`partition ${this.partition}: fenced: ${reason} (our epoch ${this.epoch} is stale); stopped, nothing more will be written`);
  }

  /** Whether the uncommitted part of the buffer reached a bound: fetching must wait for a flush. */
  isFull(bounds: { maxIds: number; maxBytes: number }): boolean {
    return this.buffer.uncommittedIds >= bounds.maxIds || this.buffer.uncommittedBytes >= bounds.maxBytes;
  }

  /** Runs `task` after every task queued before it on this lane. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Offers the record at `record.offset`: folds it if it is the next one, or says what to do. */
  fold(record: SourceRecord): FoldStep {
    const step = this.foldOne(record);
    if (step === 'folded') this.position.advance(this.buffer.nextOffset);
    return step;
  }

  private foldOne(message: SourceRecord): FoldStep {
    if (this.gapGuard.gap) return 'stopped';
    const offset = message.offset;
    const next = this.buffer.nextOffset;
    if (offset < next) return 'already-applied';
    if (offset > next) {
      const decision = this.gapGuard.onRecordAbove(next, offset);
      if (decision === 'seek-back') return 'seek-back';
      if (decision === 'stop') {
        this.reportGap();
        return 'stopped';
      }
      this.deps.logger.warn(`partition ${this.partition}: offsets ${next}..${offset - 1} were removed before they were applied; moving past them as ACCEPT_OFFSET_GAP=${this.partition}:${offset} says`);
      this.buffer.acceptGap(offset);
    }
    const bytes = (message.key?.length ?? 0) + (message.value?.length ?? 0);
    const decoded = decodeEventRecord(message.key, message.value, this.deps.limits);
    this.window.record(message, decoded.ok ? decoded.event.ts : undefined);
    const misplaced = decoded.ok && this.deps.partitionCount !== undefined ? misplacedRecord(decoded.event.id, this.partition, this.deps.partitionCount) : undefined;
    if (!decoded.ok || misplaced) {
      this.deadLetters.push({ key: message.key, value: message.value, reason: decoded.ok ? (misplaced as string) : decoded.reason, partition: this.partition, offset });
      this.buffer.skip(offset, bytes);
      return 'folded';
    }
    const held = this.buffer.peek(decoded.event.id) !== undefined;
    const rejected = this.buffer.fold(decoded.event, offset, bytes);
    if (rejected) this.deadLetters.push({ key: message.key, value: message.value, reason: rejected.reason, partition: this.partition, offset });
    else if (!held) this.pendingBytes.set(offset, { key: message.key, value: message.value });
    return 'folded';
  }

  /**
   * Makes everything folded so far durable in ONE transaction (rows + OPLOG offset, epoch-guarded).
   * On error nothing is lost: the buffer keeps its state and the next flush writes it again.
   */
  async flush(): Promise<FlushOutcome> {
    if (this.isFenced) return 'fenced';
    if (!this.buffer.hasUncommitted) return 'idle';
    const labels = { partition: String(this.partition) };
    const stopTimer = metrics.flushDuration.startTimer(labels);
    try {
      const facts = { topic: this.deps.key.topic, partition: this.partition, epoch: this.epoch, fromOffset: this.buffer.committedOffset, headers: this.window.sampledHeaders() };
      return await withFlushSpan(facts, (span) => this.flushOnce(labels, (plan) => describeFlushPlan(span, plan, facts.fromOffset)));
    } catch (error) {
      metrics.flushErrors.inc(labels);
      throw error;
    } finally {
      stopTimer();
    }
  }

  private async flushOnce(labels: { partition: string }, describe: (plan: FlushPlan) => void): Promise<FlushOutcome> {
    this.deps.failPoints.reach('before-flush');
    const ids = this.buffer.pendingIds();
    if (ids.length > 0) {
      const stored = await this.deps.events.findRecords(ids);
      for (const rejected of this.buffer.resolvePending(stored)) {
        const { key, value } = this.pendingBytes.get(rejected.offset) ?? encodeEventRecord(rejected.event);
        this.deadLetters.push({ key, value, reason: rejected.reason, partition: this.partition, offset: rejected.offset });
      }
      this.pendingBytes.clear();
    }
    if (this.deadLetters.length > 0) {
      await this.deps.deadLetters.publish(this.deadLetters);
      metrics.deadLetters.inc(labels, this.deadLetters.length);
      this.deps.logger.warn(`partition ${this.partition}: ${this.deadLetters.length} record(s) sent to the DLQ: ${this.deadLetters[0].reason}`);
      this.deadLetters = [];
    }
    const plan = this.buffer.flushPlan();
    describe(plan);
    const result = await this.deps.writer.commit({ key: this.deps.key, partition: this.partition, epoch: this.epoch, nextOffset: plan.nextOffset, records: plan.records, producerMarks: plan.producerMarks });
    if (result.kind === 'fenced') {
      this.fence('the flush matched no OPLOG row with our epoch: another instance claimed the partition; this flush was rolled back');
      return 'fenced';
    }
    this.deps.failPoints.reach('after-commit');
    if (plan.records.length > 0) this.deps.changesCommitted?.();
    if (result.refused > 0) {
      metrics.versionRefused.inc(labels, result.refused);
      this.deps.logger.error(`partition ${this.partition}: ${result.refused} of ${plan.records.length} row(s) not written: EVENTS already holds a higher version of those IDs (another writer of this partition's IDs?)`);
    }
    this.buffer.markCommitted(plan);
    this.window.committed();
    metrics.flushRows.inc(labels, result.rows);
    metrics.flushEvents.inc(labels, plan.events);
    metrics.dedupeHits.inc(labels, this.buffer.duplicates - this.reportedDuplicates);
    this.reportedDuplicates = this.buffer.duplicates;
    metrics.copiesRefused.inc(labels, this.buffer.copiesRefused - this.reportedCopies);
    this.reportedCopies = this.buffer.copiesRefused;
    this.flushes++;
    this.lastFlushError = undefined;
    return 'committed';
  }
}
