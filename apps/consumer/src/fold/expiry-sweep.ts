import type { EventsRepository } from '@async2/data-access';

export interface ExpirySweepOptions {
  /** TTL_SWEEP_INTERVAL_MS: how often a lane asks EVENTS for its expired rows (an idle lane flushes for them). */
  intervalMs: number;
  /** TTL_SWEEP_MAX_IDS: at most this many expired rows per flush (the rest are taken by the next sweeps). */
  maxIds: number;
  /** The consumer's clock (ms since the epoch); Date.now unless a test sets it. */
  now?: () => number;
}

/** What one flush expires: the moment it judges expiry at, and the stored rows expired by then. */
export interface SweepCandidates {
  now: number;
  ids: string[];
}

/**
 * When and what a lane's flush sweeps (TTL, docs/api.md#ttl-ttlms). "Now" is the consumer's clock,
 * read once per flush: the stored rows of the partition expired by then (the partial index
 * events_expiry_idx) are loaded like any row, and the buffer turns every held record expired by
 * then into its tombstone, inside the flush's plan, so the tombstones commit with OPLOG's offset
 * under the epoch fence and reach the outbox once. The query runs at most every `intervalMs`;
 * records changed in memory are judged at every flush (no query needed: they are held).
 */
export class ExpirySweep {
  private lastQueryAt = Number.NEGATIVE_INFINITY;
  private readonly clock: () => number;

  constructor(
    private readonly events: Pick<EventsRepository, 'findExpiredIds'>,
    private readonly partition: number,
    private readonly options: ExpirySweepOptions,
  ) {
    this.clock = options.now ?? Date.now;
  }

  /** Whether the next flush should ask EVENTS (an idle lane flushes only then). */
  due(): boolean {
    return this.clock() - this.lastQueryAt >= this.options.intervalMs;
  }

  /** The moment this flush judges expiry at, and (when due) the partition's stored rows expired by then. */
  async candidates(): Promise<SweepCandidates> {
    const now = this.clock();
    if (now - this.lastQueryAt < this.options.intervalMs) return { now, ids: [] };
    const ids = await this.events.findExpiredIds(this.partition, now, this.options.maxIds);
    this.lastQueryAt = now;
    return { now, ids };
  }
}
