import { EventsRepository, OplogRepository } from '@async2/data-access';
import { type EntityRecord, freshRecord, partitionForKey } from '@async2/domain';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config';
import type { PartitionLane } from '../fold/partition-lane';
import { PartitionConsumer } from '../partition-consumer.service';
import { FencedReadError, FoldNotReachedError, NotOwnerError, NotStartedError } from './fresh-read-errors';

// A read's turn in the partition queue normally comes within one batch's fold; even a read that
// may not wait (waitMs 0) gets at least this long, since the queue is busy only with flush retries.
const MIN_QUEUE_WAIT_MS = 1000;

export interface FreshReadRequest {
  id: string;
  /** Wait until the fold passed this offset of the ID's partition (a write token's offset). */
  after?: number;
  /** Wait until the ID's version is at least this (monotonic reads). */
  minVersion?: number;
  /** Bound of both waits together. */
  waitMs: number;
}

/**
 * Where the answer's state came from: `memory` (held by the fold), `memory+events` (its EVENTS row
 * with the events still waiting for that row applied on a copy), `events` (not held, nothing
 * waiting: the row is current). All three are the state as of `foldedUpTo`.
 */
export type FreshSource = 'memory' | 'memory+events' | 'events';

export interface FreshReadAnswer {
  partition: number;
  epoch: number;
  /** The next offset the fold will apply: every record below it is in this state. */
  foldedUpTo: number;
  /** The offset OPLOG holds (the last flush). */
  committedUpTo: number;
  from: FreshSource;
  /** null when the ID was never written. */
  entity: Pick<EntityRecord, 'id' | 'state' | 'deleted' | 'version' | 'lastOffset' | 'eventTs' | 'expiresAt'> | null;
}

/**
 * Reads of an owned partition's state from the consumer's memory. A read runs inside the lane's
 * serial queue, so it never sees a half-folded batch, and it changes nothing the flush will write;
 * a flush runs beside it, and a read that went to EVENTS looks again if the flush took rows meanwhile. It answers only for partitions this instance owns, and only while OPLOG's
 * epoch is still ours (checked on every read, so a zombie refuses before its periodic check would).
 */
@Injectable()
export class FreshReadService {
  private readonly events: EventsRepository;
  private readonly oplog: OplogRepository;

  constructor(
    private readonly consumer: PartitionConsumer,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    dataSource: DataSource,
  ) {
    this.events = new EventsRepository(dataSource);
    this.oplog = new OplogRepository(dataSource);
  }

  async read(request: FreshReadRequest): Promise<FreshReadAnswer> {
    const deadline = Date.now() + request.waitMs;
    const { partitionCount, owned } = this.consumer.ownership();
    if (partitionCount === 0) throw new NotStartedError();
    const partition = partitionForKey(request.id, partitionCount);
    const lane = this.consumer.laneFor(partition);
    if (!lane) throw new NotOwnerError(partition, owned);
    if (lane.fenced) throw new FencedReadError(partition, lane.epoch);

    if (request.after !== undefined) {
      const reached = await lane.position.waitPast(request.after, lane.buffer.nextOffset, deadline - Date.now());
      if (lane.fenced) throw new FencedReadError(partition, lane.epoch);
      if (!reached) throw new FoldNotReachedError(`offset ${request.after}`, partition, lane.buffer.nextOffset, request.waitMs);
    }
    for (;;) {
      const answer = await this.snapshot(lane, request.id, deadline, request.waitMs);
      if (request.minVersion === undefined || (answer.entity?.version ?? 0) >= request.minVersion) {
        await this.assertStillOwned(lane);
        return answer;
      }
      // Behind the version the client already saw (e.g. a restarted consumer refolding): wait for
      // the fold to move on, then look again.
      const moved = await lane.position.waitPast(answer.foldedUpTo, answer.foldedUpTo, deadline - Date.now());
      if (lane.fenced) throw new FencedReadError(partition, lane.epoch);
      if (!moved) throw new FoldNotReachedError(`version ${request.minVersion} of this ID (have ${answer.entity?.version ?? 0})`, partition, lane.buffer.nextOffset, request.waitMs);
    }
  }

  /** The ID's state as of the lane's folded position, taken between two folds. */
  private async snapshot(lane: PartitionLane, id: string, deadline: number, waitMs: number): Promise<FreshReadAnswer> {
    let timer: NodeJS.Timeout | undefined;
    // The queue can be held by a flush retrying against a slow database: bound the wait for it.
    const tooLate = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new FoldNotReachedError('a turn in the partition queue', lane.partition, lane.buffer.nextOffset, waitMs)), Math.max(MIN_QUEUE_WAIT_MS, deadline - Date.now()));
    });
    try {
      return await Promise.race([lane.serial(() => this.readHeld(lane, id)), tooLate]);
    } finally {
      clearTimeout(timer);
    }
  }

  // The state is copied: the fold goes on changing the held record after this task.
  private async readHeld(lane: PartitionLane, id: string): Promise<FreshReadAnswer> {
    if (lane.fenced) throw new FencedReadError(lane.partition, lane.epoch);
    let record: EntityRecord | undefined = lane.buffer.peek(id);
    let from: FreshSource = 'memory';
    while (!record) {
      // Not held: its row in EVENTS holds every committed event; the waiting ones apply on a copy.
      // A flush runs beside this read: if it took rows for waiting IDs while the row was loading,
      // this ID may be held (or written) now, so look again.
      const resolutions = lane.buffer.resolutions;
      const stored = (await this.events.findRecords([id])).get(id);
      if (lane.fenced) throw new FencedReadError(lane.partition, lane.epoch);
      if (lane.buffer.resolutions !== resolutions) {
        record = lane.buffer.peek(id);
        continue;
      }
      const waiting = lane.buffer.pendingEvents(id);
      record = waiting.length > 0 ? freshRecord(id, lane.partition, stored, waiting, this.config.dedupeWindow) : stored;
      from = waiting.length > 0 ? 'memory+events' : 'events';
      break;
    }
    return {
      partition: lane.partition,
      epoch: lane.epoch,
      foldedUpTo: lane.buffer.nextOffset,
      committedUpTo: lane.buffer.committedOffset,
      from,
      entity: record && record.version > 0
        ? { id, state: structuredClone(record.state), deleted: record.deleted, version: record.version, lastOffset: record.lastOffset, eventTs: record.eventTs, ...(record.expiresAt === undefined ? {} : { expiresAt: record.expiresAt }) }
        : null,
    };
  }

  private async assertStillOwned(lane: PartitionLane): Promise<void> {
    const claim = (await this.oplog.claims(this.consumer.oplogKey())).get(lane.partition);
    if (claim && claim.epoch !== lane.epoch) lane.fence(`a read found OPLOG at epoch ${claim.epoch} owned by ${claim.owner}`);
    if (lane.fenced) throw new FencedReadError(lane.partition, lane.epoch);
  }
}
