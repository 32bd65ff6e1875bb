import { type FencedOutboxRelay, type PendingChange, type RecordSender, type RelayClaim, encodeChangeRecord } from '@async2/data-access';
import { partitionForKey } from '@async2/domain';
import type { Logger } from '@nestjs/common';
import type { FailPoints } from '../faults/fail-point';
import { newestPerId } from './newest-per-id';

// The broker refuses a record batch above message.max.bytes (1 MiB by default): send in slices.
const MAX_SEND_BYTES = 768 * 1024;

export interface ChangeRelayOptions {
  /** The outbox, read and deleted under a share lock on our OPLOG epochs (the relay's fence). */
  outbox: FencedOutboxRelay;
  /** The port's sender (one send at a time, a new producer id after a failed send): records of one id keep their order. */
  sender: RecordSender;
  topic: string;
  /** The change topic's partition count: a change goes where Kafka's default partitioner puts its id. */
  partitionCount: number;
  /** Source partitions this instance owns and is not fenced from, with their epochs: only their changes are relayed, and only while the epoch is still ours in OPLOG. */
  claims: () => RelayClaim[];
  logger: Logger;
  failPoints: FailPoints;
  batchSize?: number;
}

/**
 * The outbox's relay: publishes committed changes (CHANGE_OUTBOX, oldest first) to the change
 * topic with acks=all, then deletes them. A crash between COMMIT and the publish leaves the rows in
 * the outbox, and the next owner of the partition publishes them; a crash between the publish and
 * the delete publishes them again, with the same versions (readers ignore versions they have): a
 * batch carries one change per ID (its newest), so a republished batch never puts an older version
 * of an ID after a newer one.
 * It publishes only under a live epoch: each batch holds a share lock on its partitions' OPLOG rows
 * (epoch still ours) from before the publish to the delete, so a zombie's older version can never
 * land after the new owner's newer one on the compacted topic (see FencedOutboxRelay).
 * Woken after every committed flush, and by a timer for leftovers and retries.
 */
export class ChangeRelay {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** Partitions whose OPLOG epoch moved under the relay: never relayed again by this instance. */
  private readonly lost = new Set<number>();
  published = 0;

  constructor(private readonly options: ChangeRelayOptions) {}

  start(pollMs: number): void {
    this.wake();
    this.timer = setInterval(() => this.wake(), pollMs);
    this.timer.unref();
  }

  /** Publishes what is in the outbox now (coalesced: one run at a time, one more if woken meanwhile). */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runUntilQuiet().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops the timer and publishes everything left (shutdown, after the last flush). */
  async drain(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.relayAll();
  }

  private async runUntilQuiet(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.relayAll();
      } catch (error) {
        this.options.logger.warn(`change relay: publish failed, the outbox keeps the changes and the next run retries: ${(error as Error).message}`);
        return;
      }
    } while (this.again);
  }

  private async relayAll(): Promise<void> {
    const { outbox, sender, topic, partitionCount, failPoints, logger } = this.options;
    for (;;) {
      const claims = this.options.claims().filter((c) => !this.lost.has(c.partition));
      const { published, lost } = await outbox.relayBatch(claims, this.options.batchSize ?? 2000, async (pending, lockAlive) => {
        failPoints.reach('before-publish');
        for (const records of bySize(changeRecords(pending, partitionCount), MAX_SEND_BYTES)) {
          lockAlive(); // never start a publish on a lock PostgreSQL may already have dropped
          await sender.send(topic, records); // one after another: order kept
        }
        failPoints.reach('after-publish');
      });
      for (const partition of lost) {
        this.lost.add(partition);
        logger.warn(`change relay: partition ${partition}: our OPLOG epoch is stale (another instance claimed it): relaying stopped for it, its changes are the new owner's to publish`);
      }
      this.published += published;
      if (published === 0) return;
    }
  }
}

/**
 * The newest change of each id, encoded, on the partition Kafka's default partitioner gives its id:
 * readers of the change topic who look an id up by key, and compaction, find every version of it
 * in one partition, as they did when the client picked it.
 */
function changeRecords(pending: PendingChange[], partitionCount: number) {
  return newestPerId(pending).map((p) => ({ ...encodeChangeRecord(p.change), partition: partitionForKey(p.change.id, partitionCount) }));
}

/** Consecutive slices of at most `maxBytes` (a larger record goes alone). */
function bySize<T extends { key: Buffer; value: Buffer }>(messages: T[], maxBytes: number): T[][] {
  const slices: T[][] = [];
  let slice: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.key.length + message.value.length + 64;
    if (slice.length > 0 && bytes + size > maxBytes) {
      slices.push(slice);
      slice = [];
      bytes = 0;
    }
    slice.push(message);
    bytes += size;
  }
  if (slice.length > 0) slices.push(slice);
  return slices;
}
