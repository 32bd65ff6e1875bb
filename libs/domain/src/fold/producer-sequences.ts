/**
 * The last record sequence applied from one producer incarnation in one partition: the state that
 * lets the consumer refuse a second copy of a record, whatever the Kafka client stored.
 */
export interface ProducerMark {
  /** The producer incarnation (`src` of the record): unique per producer process. */
  src: string;
  /** The highest `seq` of this producer applied in this partition. */
  seq: number;
  /** Producer receive time (ms) of that record: how long ago the producer was last heard from. */
  ts: number;
}

export interface ProducerSequencesOptions {
  /** A producer not heard from for this long (in producer time) is forgotten. */
  retentionMs: number;
  /** At most this many producers are remembered per partition; beyond it the least recent are forgotten. */
  maxProducers: number;
}

/** What one flush writes of the marks: the changed ones, and the producers to forget. */
export interface ProducerMarksPlan {
  changed: ProducerMark[];
  forgotten: string[];
}

/**
 * Record identity and its deduplication, for one partition (design section 6, promise 1).
 *
 * Every record our producer writes carries `(src, seq)`: `src` is unique per producer process and
 * `seq` grows in the order the producer queues records; it sends them in that order, one produce
 * request at a time, so within a partition the first copy of every record comes after the first
 * copy of every record queued before it. A Kafka client that stores a batch twice at a leader
 * election (kafkajs and @platformatic/kafka both do: new sequence numbers or a new producer id, so
 * the broker cannot tell) makes a second copy whose seq is at or below the mark: refused here.
 * A record whose send failed (its callers heard 503) may land late, below a newer mark: refused
 * too, which its callers allow (at most once). Records without an identity (other writers, older
 * producers) are always admitted.
 *
 * The marks are committed in the flush transaction with the offset they cover, so after a crash or
 * a takeover the next owner reloads exactly the marks that match where it resumes.
 */
export class ProducerSequences {
  private readonly marks = new Map<string, ProducerMark>();
  private readonly dirty = new Map<string, ProducerMark>();
  private readonly toForget = new Set<string>();
  private newestTs = 0;
  /** Copies refused since this partition was claimed. */
  refused = 0;

  constructor(
    loaded: Iterable<ProducerMark>,
    private readonly options: ProducerSequencesOptions,
  ) {
    for (const mark of loaded) {
      this.marks.set(mark.src, { ...mark });
      this.newestTs = Math.max(this.newestTs, mark.ts);
    }
  }

  get size(): number {
    return this.marks.size;
  }

  /** The mark of `src`, if remembered. */
  markOf(src: string): ProducerMark | undefined {
    return this.marks.get(src);
  }

  /** Whether the record is new (apply it) or a copy of one already applied (skip it). */
  admit(src: string, seq: number | undefined, ts: number): boolean {
    if (seq === undefined) return true;
    this.newestTs = Math.max(this.newestTs, ts);
    const mark = this.marks.get(src);
    if (mark && seq <= mark.seq) {
      this.refused++;
      return false;
    }
    const next = { src, seq, ts };
    this.marks.set(src, next);
    this.dirty.set(src, next);
    this.toForget.delete(src);
    return true;
  }

  /**
   * The marks a flush must write: every mark changed since the last commit, and the producers to
   * forget (not heard from within the retention, or beyond the count bound). Forgetting takes effect
   * in memory now and stays in every plan until a commit writes it.
   */
  plan(): ProducerMarksPlan {
    this.forgetStale();
    return { changed: [...this.dirty.values()].map((m) => ({ ...m })), forgotten: [...this.toForget] };
  }

  /** The plan is durable: its marks are clean unless they changed again after it was taken. */
  markCommitted(plan: ProducerMarksPlan): void {
    for (const mark of plan.changed) if (this.dirty.get(mark.src)?.seq === mark.seq) this.dirty.delete(mark.src);
    for (const src of plan.forgotten) if (!this.marks.has(src)) this.toForget.delete(src);
  }

  private forgetStale(): void {
    const horizon = this.newestTs - this.options.retentionMs;
    const excess = this.marks.size - this.options.maxProducers;
    const stale = [...this.marks.values()].filter((m) => m.ts < horizon);
    if (excess > stale.length) {
      const bySilence = [...this.marks.values()].filter((m) => m.ts >= horizon).sort((a, b) => a.ts - b.ts);
      stale.push(...bySilence.slice(0, excess - stale.length));
    }
    for (const mark of stale) {
      this.marks.delete(mark.src);
      this.dirty.delete(mark.src);
      this.toForget.add(mark.src);
    }
  }
}
