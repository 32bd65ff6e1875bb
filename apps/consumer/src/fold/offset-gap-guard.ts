/** Offsets missing from a partition: `from`..`to` (inclusive) were removed before they were applied. */
export interface OffsetGap {
  partition: number;
  from: number;
  to: number;
  /** The first offset Kafka still has: the value `ACCEPT_OFFSET_GAP=<partition>:<resumeAt>` must name. */
  resumeAt: number;
}

/** What the fold does with a record above the offset it expects. */
export type GapDecision = 'seek-back' | 'stop' | 'accept';

// A record above next_offset right after a seek is normal: kafkajs fetches from the group's
// committed offset until the seek lands (tulios/kafkajs#122), so it seeks back a few times. Our
// topic has no transaction markers (only non-transactional producers write it), so offsets past
// that are really missing: retention or deleteRecords removed events never applied.
export const SEEKS_BEFORE_STOPPING = 3;

/**
 * One partition's rule for gaps in its offsets: seek back a few times, then stop the partition
 * (fail closed). Only the operator's ACCEPT_OFFSET_GAP naming this partition and the exact first
 * offset after the gap moves past it, once: offsets only grow, so the same gap cannot come back,
 * and a setting left in place never matches a later, different gap.
 */
export class OffsetGapGuard {
  private seeks = { at: -1, count: 0 };
  private stopped: OffsetGap | undefined;

  constructor(
    readonly partition: number,
    private acceptedResumeAt: number | undefined,
    private readonly seeksBeforeStopping = SEEKS_BEFORE_STOPPING,
  ) {}

  /** The gap the partition stopped at, until the process restarts with the operator's acceptance. */
  get gap(): OffsetGap | undefined {
    return this.stopped;
  }

  /** A record at `offset` arrived while the fold expects `next` (offset > next). */
  onRecordAbove(next: number, offset: number): GapDecision {
    this.seeks = this.seeks.at === next ? { at: next, count: this.seeks.count + 1 } : { at: next, count: 1 };
    if (this.seeks.count <= this.seeksBeforeStopping) return 'seek-back';
    return this.decide(next, offset);
  }

  /** At the claim: Kafka's log starts at `logStart`, above OPLOG's next_offset. No seek can bring those records back. */
  onLogStartAbove(next: number, logStart: number): Exclude<GapDecision, 'seek-back'> {
    return this.decide(next, logStart);
  }

  private decide(next: number, resumeAt: number): Exclude<GapDecision, 'seek-back'> {
    if (this.acceptedResumeAt === resumeAt) {
      this.acceptedResumeAt = undefined;
      return 'accept';
    }
    this.stopped ??= { partition: this.partition, from: next, to: resumeAt - 1, resumeAt };
    return 'stop';
  }
}
