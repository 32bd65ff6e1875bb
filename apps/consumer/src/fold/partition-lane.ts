import { decodeEventRecord, decodeParkedControl, type EventsRepository, isControlRecord, type FlushWriter, type OplogKey, type ParkedRepository, type SourceRecord } from '@async2/data-access';
import { type EventLimits, type FlushPlan, type PartitionBuffer, type RejectedEvent, misplacedRecord } from '@async2/domain';
import type { Logger } from '@nestjs/common';
import type { FailPoints } from '../faults/fail-point';
import type { DeadLetter, DeadLetterPublisher } from '../flush/dead-letter.publisher';
import { FoldPositionWaiters } from '../fresh-read/fold-position-waiters';
import * as metrics from '../platform/consumer.metrics';
import { type ExpirySweep, type SweepCandidates } from './expiry-sweep';
import { describeFlushPlan, withFlushSpan } from './flush-tracing';
import { FlushWindow } from './flush-window';
import { type OffsetGap, OffsetGapGuard } from './offset-gap-guard';

export interface LaneDependencies {
  events: EventsRepository;
  /** The parked store: a release of an ID whose parked events were spilled loads them from it. */
  parked: Pick<ParkedRepository, 'findEvents'>;
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
  /** The TTL sweep of this lane's flushes (built per partition); none: IDs expire only in reads and in the fold. */
  expirySweep?: (partition: number) => ExpirySweep;
  /** Called after every committed flush: its changes wait in the outbox for the relay. */
  changesCommitted?: () => void;
}

/** What the consumer loop does after offering a record to the lane ('stopped': at a gap, stop fetching it). */
export type FoldStep = 'folded' | 'already-applied' | 'seek-back' | 'stopped';

export type FlushOutcome = 'idle' | 'committed' | 'fenced';

/**
 * One owned partition: its fold buffer, the epoch its claim got, and the flush that makes the fold
 * durable. Folds and fresh reads run one task at a time (`serial`); flushes run one at a time on
 * their own chain, beside the fold: a flush's plan is a snapshot taken synchronously (between two
 * folds), its records become clean only when its COMMIT succeeded. Folding never waits for I/O:
 * records for IDs not in memory wait for their rows (looked up beside the fold, `loadWaitingRows`,
 * or by the flush), and dead letters for the flush.
 */
export class PartitionLane {
  private chain: Promise<unknown> = Promise.resolve();
  /** Flushes run one after the other (the fence and the offsets strictly sequential), apart from `chain`. */
  private flushChain: Promise<unknown> = Promise.resolve();
  private flushesRunning = 0;
  /** The one load of stored rows in flight, the fold's or the flush's: no ID is looked up twice at once. */
  private loading: Promise<void> | undefined;
  private deadLetters: DeadLetter[] = [];
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
  private readonly sweep: ExpirySweep | undefined;

  constructor(
    readonly partition: number,
    readonly epoch: number,
    readonly buffer: PartitionBuffer,
    private readonly deps: LaneDependencies,
    private readonly gapGuard = new OffsetGapGuard(partition, undefined),
  ) {
    this.window = new FlushWindow(partition);
    this.sweep = deps.expirySweep?.(partition);
  }

  /** Whether the TTL sweep wants a flush although nothing was folded (the scheduler's timer asks). */
  get sweepDue(): boolean {
    return this.sweep?.due() ?? false;
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
    if (isControlRecord(message.headers)) return this.foldControl(message, bytes);
    const decoded = decodeEventRecord(message.key, message.value, this.deps.limits);
    this.window.record(message, decoded.ok ? decoded.event.ts : undefined);
    const misplaced = decoded.ok && this.deps.partitionCount !== undefined ? misplacedRecord(decoded.event.id, this.partition, this.deps.partitionCount, message.key ?? undefined) : undefined;
    if (!decoded.ok || misplaced) {
      this.deadLetters.push({ key: message.key, value: message.value, reason: decoded.ok ? (misplaced as string) : decoded.reason, partition: this.partition, offset });
      this.buffer.skip(offset, bytes);
      return 'folded';
    }
    const rejected = this.buffer.fold(decoded.event, offset, bytes);
    if (rejected) this.reportParked(rejected);
    return 'folded';
  }

  /**
   * An operator's answer for a parked ID (parked-control.v1.ts): folded here, by the partition's
   * only writer, in Kafka order with the ID's events, and committed by the next flush under the
   * fence (docs/parking.md). A malformed one goes to the DLQ like any poison record.
   */
  private foldControl(message: SourceRecord, bytes: number): FoldStep {
    const offset = message.offset;
    const decoded = decodeParkedControl(message.headers, message.key, message.value);
    const misplaced = decoded.ok && this.deps.partitionCount !== undefined ? misplacedRecord(decoded.control.id, this.partition, this.deps.partitionCount) : undefined;
    if (!decoded.ok || misplaced) {
      this.deadLetters.push({ key: message.key, value: message.value, reason: decoded.ok ? (misplaced as string) : decoded.reason, partition: this.partition, offset });
      this.buffer.skip(offset, bytes);
      return 'folded';
    }
    const { id, action, by, refusedOffset } = decoded.control;
    const outcome = this.buffer.releaseParked(id, action, offset, bytes, refusedOffset);
    const labels = { partition: String(this.partition), action };
    if (outcome.kind === 'not-parked') {
      this.deps.logger.warn(`partition ${this.partition}: ${action} of ${id} (asked by ${by}) at offset ${offset}: the ID is not parked at offset ${refusedOffset} (released already, or parked again since); nothing to do`);
      return 'folded';
    }
    metrics.parkedReleases.inc(labels);
    const what = outcome.kind === 'queued' ? 'waits behind its events being loaded' : `released ${outcome.released} event(s)`;
    this.deps.logger.log(`partition ${this.partition}: ${action} of parked ${id} (asked by ${by}) at offset ${offset}: ${what}`);
    if (outcome.kind === 'released' && outcome.rejected) this.reportParked(outcome.rejected);
    return 'folded';
  }

  /** The fold refused an event: its ID is parked (docs/parking.md); the partition goes on. */
  private reportParked(rejected: RejectedEvent): void {
    metrics.parkedEvents.inc({ partition: String(this.partition) });
    this.deps.logger.warn(`partition ${this.partition}: ${rejected.event.id} parked at offset ${rejected.offset}: ${rejected.reason} (async2 parked show ${rejected.event.id})`);
  }

  /** Whether a flush is running (one at a time per partition; folding goes on meanwhile). */
  get flushing(): boolean {
    return this.flushesRunning > 0;
  }

  /**
   * Makes everything folded so far durable in ONE transaction (rows + OPLOG offset, epoch-guarded).
   * One flush in flight per partition: a call while one runs waits for it, then flushes what was
   * folded since. The fold goes on while a flush runs (the flush never takes the lane's `serial`,
   * so it may be awaited from inside a serial task). On error nothing is lost: the plan's IDs stay
   * dirty in the buffer and the next flush writes them again.
   */
  flush(): Promise<FlushOutcome> {
    this.flushesRunning++;
    const run = this.flushChain.then(() => this.flushTraced());
    this.flushChain = run.catch(() => undefined);
    return run.finally(() => this.flushesRunning--);
  }

  private async flushTraced(): Promise<FlushOutcome> {
    if (this.isFenced) return 'fenced';
    const sweep = await this.sweep?.candidates();
    if (!this.buffer.hasUncommitted && !sweep?.ids.length) return 'idle';
    const labels = { partition: String(this.partition) };
    const stopTimer = metrics.flushDuration.startTimer(labels);
    try {
      const facts = { topic: this.deps.key.topic, partition: this.partition, epoch: this.epoch, fromOffset: this.buffer.committedOffset, headers: this.window.takeSampledHeaders() };
      return await withFlushSpan(facts, (span) => this.flushOnce(labels, sweep, (plan) => describeFlushPlan(span, plan, facts.fromOffset)));
    } catch (error) {
      metrics.flushErrors.inc(labels);
      throw error;
    } finally {
      stopTimer();
    }
  }

  private async flushOnce(labels: { partition: string }, sweep: SweepCandidates | undefined, describe: (plan: FlushPlan) => void): Promise<FlushOutcome> {
    this.deps.failPoints.reach('before-flush');
    // Expired rows not held are loaded with the rows events wait for.
    if (sweep) this.buffer.requireRows(sweep.ids);
    await this.settlePending(labels);
    // Synchronous from here to the plan: nothing pending, every dead letter before it published;
    // the expired records become tombstones of this plan (committed with its offset, or not at all).
    const expired = sweep ? this.buffer.expire(sweep.now, sweep.ids) : 0;
    const plan = this.buffer.flushPlan();
    const window = this.window.cut();
    describe(plan);
    const result = await this.deps.writer.commit({ key: this.deps.key, partition: this.partition, epoch: this.epoch, nextOffset: plan.nextOffset, records: plan.records, producerMarks: plan.producerMarks, verdicts: plan.verdicts, parked: plan.parked });
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
    this.window.committed(window);
    metrics.flushRows.inc(labels, result.rows);
    if (expired > 0) metrics.expiredIds.inc(labels, expired);
    metrics.flushEvents.inc(labels, plan.events);
    for (const { verdict } of plan.verdicts) metrics.verdictsCommitted.inc({ ...labels, outcome: verdict === 'copy' ? 'copy' : verdict.outcome });
    metrics.dedupeHits.inc(labels, this.buffer.duplicates - this.reportedDuplicates);
    this.reportedDuplicates = this.buffer.duplicates;
    metrics.copiesRefused.inc(labels, this.buffer.copiesRefused - this.reportedCopies);
    this.reportedCopies = this.buffer.copiesRefused;
    this.flushes++;
    this.lastFlushError = undefined;
    return 'committed';
  }

  /**
   * Starts loading the stored rows the fold's waiting events need, if some wait and no load is in
   * flight, so that the flush finds them loaded instead of loading them itself (the consumer calls it
   * after each fetched batch). Reads only: a row an ID waits for is its last commit, since an ID is
   * evicted only after the flush that wrote it committed. A failed load is left to the flush, which
   * loads the same IDs again and reports the error.
   */
  loadWaitingRows(): void {
    if (this.loading || this.isFenced) return;
    const ids = this.buffer.pendingIds();
    if (ids.length > 0) this.loadPending(ids).catch(() => undefined);
  }

  /** Looks up the rows of `ids` (waiting now) and applies their events; IDs that start waiting meanwhile wait for the next load. */
  private loadPending(ids: string[]): Promise<void> {
    const load = (async () => {
      const [stored, parked] = await Promise.all([this.deps.events.findRecords(ids), this.deps.parked.findEvents(this.deps.key, this.partition, this.buffer.spilledReleases(ids))]);
      for (const rejected of this.buffer.resolvePending(stored, ids, parked)) this.reportParked(rejected);
    })();
    const done = () => {
      this.loading = undefined;
    };
    this.loading = load.then(done, done);
    return load;
  }

  /**
   * Loads the rows of the IDs waiting for them and publishes the dead letters, in rounds: the fold
   * goes on during each round's I/O, so IDs and dead letters that arrive meanwhile are taken by the
   * next round. Returns at a moment with nothing pending and no dead letter unpublished. (A buffer
   * bound stops the fold, so the rounds end however fast records come.)
   */
  private async settlePending(labels: { partition: string }): Promise<void> {
    for (;;) {
      if (this.loading) {
        await this.loading; // the fold's load: what it took is resolved, what it did not is taken next round
        continue;
      }
      const ids = this.buffer.pendingIds();
      if (ids.length > 0) {
        await this.loadPending(ids);
        continue;
      }
      if (this.deadLetters.length > 0) {
        const letters = this.deadLetters;
        this.deadLetters = [];
        try {
          await this.deps.deadLetters.publish(letters);
        } catch (error) {
          this.deadLetters = letters.concat(this.deadLetters); // in offset order, for the next attempt
          throw error;
        }
        metrics.deadLetters.inc(labels, letters.length);
        this.deps.logger.warn(`partition ${this.partition}: ${letters.length} record(s) sent to the DLQ: ${letters[0].reason}`);
        continue;
      }
      return;
    }
  }
}
