import { type FoldSettings, type PartitionRecord, decodeEventRecord, decodeParkedControl, isControlRecord } from '@async2/data-access';
import { type EntityRecord, PartitionBuffer, type ProducerMark, type VerdictEntry, misplacedRecord } from '@async2/domain';

/** Where the fold keeps its rows between flushes: a rebuild's shadow table (EventsShadow). */
export interface ShadowRows {
  readonly partition: number;
  findRecords(ids: readonly string[]): Promise<Map<string, EntityRecord>>;
  write(records: readonly EntityRecord[]): Promise<void>;
}

/** Clean rows kept in memory between shadow flushes; the rest are read back from the shadow when touched again. */
const CACHED_IDS = 100_000;

/**
 * The consumer's fold (PartitionBuffer from libs/domain, over the same record decoding and
 * placement check as its lane), writing into a rebuild's shadow table instead of EVENTS. Records
 * the consumer dead-letters (undecodable, on the wrong partition, refused by the fold) are skipped
 * and counted: they went to the DLQ when the consumer first folded them, and are not sent again.
 */
export class ShadowFold {
  private readonly buffer: PartitionBuffer;
  /** Every producer mark the fold holds (the swap writes them all with OPLOG's offset). */
  private readonly marks = new Map<string, ProducerMark>();
  /** Verdicts of conditional events at or after `verdictsFrom` (the swap writes those not stored yet). */
  readonly verdicts: VerdictEntry[] = [];
  /** Records skipped, with the first few reasons. */
  readonly skipped = { count: 0, reasons: [] as string[] };
  rowsWritten = 0;

  constructor(
    private readonly shadow: ShadowRows,
    fromOffset: number,
    private readonly partitionCount: number,
    private readonly settings: FoldSettings,
    /** OPLOG's next_offset before the rebuild: verdicts below it were committed by the consumer and are kept as they are. */
    private readonly verdictsFrom = 0,
  ) {
    this.buffer = new PartitionBuffer({
      partition: shadow.partition,
      nextOffset: fromOffset,
      dedupeWindow: settings.dedupeWindow,
      maxCachedIds: CACHED_IDS,
      producerRetention: settings.producerMarks,
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
        if (control.ok && !misplacedRecord(control.control.id, partition, this.partitionCount)) this.buffer.releaseParked(control.control.id, control.control.action, offset, 0, control.control.refusedOffset);
        else this.skip(offset, control.ok ? 'misplaced control record' : control.reason);
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

  /** Writes what was folded since the last flush into the shadow. */
  async flush(): Promise<void> {
    const pending = this.buffer.pendingIds();
    if (pending.length > 0) {
      for (const rejected of this.buffer.resolvePending(await this.shadow.findRecords(pending))) this.noteSkipped(rejected.offset, rejected.reason);
    }
    const plan = this.buffer.flushPlan();
    await this.shadow.write(plan.records);
    this.rowsWritten += plan.records.length;
    for (const mark of plan.producerMarks.changed) this.marks.set(mark.src, mark);
    for (const src of plan.producerMarks.forgotten) this.marks.delete(src);
    for (const verdict of plan.verdicts) if (verdict.offset >= this.verdictsFrom) this.verdicts.push(verdict);
    this.buffer.markCommitted(plan);
  }

  /** IDs the fold holds parked (an event refused and not released within the folded range). */
  get parkedIds(): string[] {
    return this.buffer.parked.ids();
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
