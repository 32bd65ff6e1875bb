import type { Logger } from '@nestjs/common';
import type { PartitionLane } from './partition-lane';

const MAX_FLUSH_BACKOFF_MS = 5000;

/** What the scheduler needs of the Kafka consumer: stop and restart one partition's fetching, mirror its offset. */
export interface FetchControl {
  pause(partition: number): void;
  resume(partition: number): void;
  /** After a commit: OPLOG's offset mirrored into the Kafka group for lag tools (never read back). */
  committed(lane: PartitionLane): void;
}

/**
 * When each lane flushes: on the timer (FLUSH_INTERVAL_MS), when it holds FLUSH_MAX_EVENTS, and
 * when its buffer is full. A flush runs beside the fold (one in flight per lane): the fold goes on
 * into the buffer while it writes. Backpressure: a full buffer, or a failed flush (PostgreSQL slow
 * or down), pauses that partition's fetching and retries with backoff until a flush commits, so
 * memory stays bounded however long the database is away.
 */
export class FlushScheduler {
  constructor(
    private readonly fetch: FetchControl,
    private readonly logger: Logger,
    private readonly pausedChanged: () => void,
  ) {}

  /** The timer's tick: start a flush on every lane with uncommitted work (or a TTL sweep due) and none in flight. */
  flushAll(lanes: Iterable<PartitionLane>): void {
    for (const lane of lanes) {
      if (lane.fenced || lane.flushing || (!lane.buffer.hasUncommitted && !lane.sweepDue)) continue;
      this.flushInBackground(lane);
    }
  }

  /**
   * FLUSH_MAX_EVENTS or a buffer bound was reached (called inside the lane's serial fold task).
   * Not full: start a flush if none is in flight and go on folding. Full, or the last flush failed:
   * pause fetching and wait (the fold with it) until a flush commits.
   */
  async flushBeforeFetchingMore(lane: PartitionLane, full: boolean, keepTrying: () => boolean, heartbeat: () => Promise<void>): Promise<void> {
    if (!full && lane.lastFlushError === undefined) {
      if (!lane.flushing) this.flushInBackground(lane);
      return;
    }
    lane.paused = true;
    this.fetch.pause(lane.partition);
    this.pausedChanged();
    const why = full ? `buffer full (${lane.buffer.uncommittedIds} IDs, ${lane.buffer.uncommittedBytes} bytes uncommitted)` : 'the flush failed';
    this.logger.warn(`partition ${lane.partition}: ${why}: fetching paused until a flush commits`);
    try {
      await this.flushWithRetry(lane, keepTrying, heartbeat);
      this.fetch.committed(lane);
    } finally {
      lane.paused = false;
      if (!lane.fenced) this.fetch.resume(lane.partition);
      this.pausedChanged();
    }
  }

  private flushInBackground(lane: PartitionLane): void {
    void lane
      .flush()
      .then((outcome) => {
        // A TTL sweep that found nothing flushes nothing: no offset to mirror.
        if (outcome !== 'idle') this.fetch.committed(lane);
      })
      .catch((error: Error) => {
        lane.lastFlushError = error;
        this.logger.error(`partition ${lane.partition}: flush failed, keeping the buffer, will retry: ${error.message}`);
      });
  }

  /** Flushes, retrying with backoff while `keepTrying()`; throws when it gives up with work left. */
  async flushWithRetry(lane: PartitionLane, keepTrying: () => boolean, heartbeat?: () => Promise<void>): Promise<void> {
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
}
