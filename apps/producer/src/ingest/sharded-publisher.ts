import type { OutgoingRecord, PublishOutcome } from './coalescing-publisher';
import { OverloadedError } from './ingest-errors';

/** What a shard is to this class: a CoalescingPublisher over a sender of its own. */
export interface PublisherShard {
  readonly pendingCount: number;
  publish(records: OutgoingRecord[]): Promise<PublishOutcome[]>;
}

/** The shard that sends a partition's records: always the same one, so a partition has one queue and one producer. */
export function shardOf(partition: number, shards: number): number {
  return partition % shards;
}

/**
 * Several produce requests in flight, each partition's order kept: neither Kafka client keeps a
 * partition's order with more than one idempotent request in flight, so each shard is a coalescing
 * publisher over a producer of its own (one request in flight each), and every partition belongs
 * to one shard (shardOf). A partition's records therefore reach Kafka in the order they were
 * published, which the consumer's copy check needs (record-identity.ts).
 *
 * One call is all or nothing here as in the shard: the bound on waiting records is checked for the
 * whole call before any shard takes a record (the shards' own bounds are never reached).
 */
export class ShardedPublisher {
  constructor(
    private readonly shards: readonly PublisherShard[],
    private readonly maxPendingEvents: number,
  ) {
    if (shards.length === 0) throw new Error('a sharded publisher needs at least one shard');
  }

  get pendingCount(): number {
    let pending = 0;
    for (const shard of this.shards) pending += shard.pendingCount;
    return pending;
  }

  /** Publishes records; resolves one outcome per record, in the order given. */
  publish(records: OutgoingRecord[]): Promise<PublishOutcome[]> {
    const count = this.shards.length;
    if (count === 1) return this.shards[0].publish(records);
    const pending = this.pendingCount;
    if (pending + records.length > this.maxPendingEvents) {
      throw new OverloadedError(`${pending} events are waiting for Kafka; try again shortly`);
    }
    // Records and their places in the call, per shard.
    const parts = Array.from({ length: count }, () => ({ records: [] as OutgoingRecord[], places: [] as number[] }));
    records.forEach((record, place) => {
      const part = parts[shardOf(record.partition, count)];
      part.records.push(record);
      part.places.push(place);
    });
    const used = parts.map((part, shard) => ({ part, shard })).filter(({ part }) => part.records.length > 0);
    if (used.length === 1) return this.shards[used[0].shard].publish(records);
    const outcomes = new Array<PublishOutcome>(records.length);
    return Promise.all(
      used.map(({ part, shard }) =>
        this.shards[shard].publish(part.records).then((answered) => {
          answered.forEach((outcome, i) => (outcomes[part.places[i]] = outcome));
        }),
      ),
    ).then(() => outcomes);
  }
}
