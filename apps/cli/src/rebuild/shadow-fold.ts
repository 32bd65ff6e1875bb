import { type FoldSettings, type PartitionRecord, decodeEventRecord, decodeParkedControl, isControlRecord } from '@async2/data-access';
import { type EntityRecord, type ParkedId, PartitionBuffer, type ProducerMark, type VerdictEntry, misplacedRecord } from '@async2/domain';
import { inexactRelease, parkedAtOffset } from './parked-from-offset';
import { InexactParkedStateError } from './rebuild-errors';

/** Where the fold keeps its rows between flushes: a rebuild's shadow table (EventsShadow). */
export interface ShadowRows {
  readonly partition: number;
  findRecords(ids: readonly string[]): Promise<Map<string, EntityRecord>>;
  /** Stored rows expired at `now` (live, expires_at <= now), at most `limit`. */
  findExpiredIds(now: number, limit: number): Promise<string[]>;
  write(records: readonly EntityRecord[]): Promise<void>;
}

/** Expired rows a shadow flush sweeps at most (the rest: the next flushes; sweepAll() takes them all). */
const SWEEP_MAX_IDS = 10_000;

/** What the partition's consumer committed before the rebuild claimed it. */
export interface StoredPartition {
  /** OPLOG's next_offset: the parked store is the state at it, and the consumer decided the verdicts below it but those of the events it keeps. */
  nextOffset: number;
  /** The parked store's IDs with their kept events (ParkedRepository.load). */
  parked: readonly ParkedId[];
}

/** Clean rows kept in memory between shadow flushes; the rest are read back from the shadow when touched again. */
const CACHED_IDS = 100_000;

/**
 * The consumer's fold (PartitionBuffer from libs/domain, over the same record decoding and
 * placement check as its lane), writing into a rebuild's shadow table instead of EVENTS. Records
 * the consumer dead-letters (undecodable, on the wrong partition, refused by the fold) are skipped
 * and counted: they went to the DLQ when the consumer first folded them, and are not sent again.
 * It starts from the parked state at `fromOffset` (parkedAtOffset), parks and releases like the
 * consumer, and ends with the parked state the swap writes (parkedState).
 */
export class ShadowFold {
  private readonly buffer: PartitionBuffer;
  /** Every producer mark the fold holds (the swap writes them all with OPLOG's offset). */
  private readonly marks = new Map<string, ProducerMark>();
  /** Verdicts the consumer had not decided at the stored next_offset (the swap writes them; it keeps those stored). */
  readonly verdicts: VerdictEntry[] = [];
  /** Offsets below the stored next_offset whose verdicts the consumer had not decided: the events its parked store keeps. */
  private readonly undecided: Set<number>;
  /** Records skipped, with the first few reasons. */
  readonly skipped = { count: 0, reasons: [] as string[] };
  rowsWritten = 0;
  /** IDs whose expiry (ttlMs) passed, made tombstones by the rebuild's sweeps. */
  expired = 0;
  private lastSweepFull = false;

  constructor(
    private readonly shadow: ShadowRows,
    private readonly fromOffset: number,
    private readonly partitionCount: number,
    private readonly settings: FoldSettings,
    private readonly stored: StoredPartition = { nextOffset: 0, parked: [] },
    /** The clock the sweep judges expiry by, as the consumer's flush does (Date.now unless a test sets it). */
    private readonly clock: () => number = Date.now,
  ) {
    this.undecided = new Set(stored.parked.flatMap((p) => p.events.map((e) => e.offset)));
    this.buffer = new PartitionBuffer({
      partition: shadow.partition,
      nextOffset: fromOffset,
      dedupeWindow: settings.dedupeWindow,
      maxCachedIds: CACHED_IDS,
      producerRetention: settings.producerMarks,
      parked: parkedAtOffset(stored.parked, fromOffset),
    });
  }

  /** The first offset not yet folded. */
  get nextOffset(): number {
    return this.buffer.nextOffset;
  }

  get uncommittedEvents(): number {
    return this.buffer.uncommittedEvents;
  }

  fold(records: readonly PartitionRecord[]): void {
    const partition = this.shadow.partition;
    for (const { offset, key, value, headers } of records) {
      if (headers && isControlRecord(headers)) {
        // An operator's release of a parked ID, applied in order as the consumer's lane does (docs/parking.md).
        const control = decodeParkedControl(headers, key, value);
        if (control.ok && !misplacedRecord(control.control.id, partition, this.partitionCount)) {
          const inexact = inexactRelease({ id: control.control.id, offset, refusedOffset: control.control.refusedOffset }, this.fromOffset, this.stored.nextOffset);
          if (inexact) throw new InexactParkedStateError(inexact);
          this.buffer.releaseParked(control.control.id, control.control.action, offset, 0, control.control.refusedOffset);
        } else {
          this.skip(offset, control.ok ? 'misplaced control record' : control.reason);
        }
        continue;
      }
      const decoded = decodeEventRecord(key, value, this.settings.limits);
      const misplaced = decoded.ok ? misplacedRecord(decoded.event.id, partition, this.partitionCount) : undefined;
      if (!decoded.ok || misplaced) {
        this.skip(offset, decoded.ok ? (misplaced as string) : decoded.reason);
        continue;
      }
      const rejected = this.buffer.fold(decoded.event, offset);
      if (rejected) this.noteSkipped(rejected.offset, rejected.reason);
    }
  }

  /**
   * Writes what was folded since the last flush into the shadow, with the TTL sweep the consumer's
   * flush makes (docs/api.md#ttl-ttlms): every row expired by now, the shadow's stored ones (seeded
   * or written by earlier flushes) and the records changed since, becomes its tombstone. Without it
   * the swap would put back live rows whose expiry passed, holding versions the consumer's sweep had
   * counted, until the restarted consumer swept them again.
   */
  async flush(): Promise<void> {
    const now = this.clock();
    const expiredIds = await this.shadow.findExpiredIds(now, SWEEP_MAX_IDS);
    this.lastSweepFull = expiredIds.length >= SWEEP_MAX_IDS;
    this.buffer.requireRows(expiredIds);
    const pending = this.buffer.pendingIds();
    if (pending.length > 0) {
      for (const rejected of this.buffer.resolvePending(await this.shadow.findRecords(pending))) this.noteSkipped(rejected.offset, rejected.reason);
    }
    // After resolvePending, right before the plan, with no fold in between (PartitionBuffer.expire).
    this.expired += this.buffer.expire(now, expiredIds);
    const plan = this.buffer.flushPlan();
    await this.shadow.write(plan.records);
    this.rowsWritten += plan.records.length;
    for (const mark of plan.producerMarks.changed) this.marks.set(mark.src, mark);
    for (const src of plan.producerMarks.forgotten) this.marks.delete(src);
    // A kept event below the stored offset is decided when the fold releases it (replayed or discarded), maybe only now.
    for (const verdict of plan.verdicts) if (verdict.offset >= this.stored.nextOffset || this.undecided.has(verdict.offset)) this.verdicts.push(verdict);
    this.buffer.markCommitted(plan);
  }

  /** Flushes until a sweep found fewer expired rows than it may take: before the swap, no expired row is left live. */
  async sweepAll(): Promise<void> {
    await this.flush();
    while (this.lastSweepFull) await this.flush();
  }

  /** IDs the fold holds parked (an event refused and not released within the folded range). */
  get parkedIds(): string[] {
    return this.buffer.parked.ids();
  }

  /** The parked IDs at nextOffset with their kept events in order: what the swap writes to the parked store. */
  parkedState(): ParkedId[] {
    const parked = this.buffer.parked;
    return parked.ids().map((id) => {
      const { events, ...header } = parked.get(id) as ParkedId;
      return { ...header, events: [...events] };
    });
  }

  /** The producer marks at nextOffset (valid after a flush). */
  producerMarks(): ProducerMark[] {
    return [...this.marks.values()];
  }

  private skip(offset: number, reason: string): void {
    this.buffer.skip(offset);
    this.noteSkipped(offset, reason);
  }

  private noteSkipped(offset: number, reason: string): void {
    this.skipped.count++;
    if (this.skipped.reasons.length < 3) this.skipped.reasons.push(`offset ${offset}: ${reason}`);
  }
}
