import { randomBytes } from 'node:crypto';

/**
 * The identity this producer process gives its records: `src` (the configured instance id plus a
 * random incarnation suffix, so a restarted or duplicated instance never reuses an identity) and a
 * `seq` that grows by one per record.
 *
 * Why the order matters: the consumer refuses a record whose seq is at or below the last one it
 * applied from the same src in that partition. That is exact only if, within a partition, records
 * first reach Kafka in seq order. They do: `next()` is called in the same synchronous step that
 * queues the record for the coalescing publisher, which sends its queue in order, one produce
 * request at a time (see PublishService and CoalescingPublisher).
 */
export class RecordIdentity {
  readonly src: string;
  private seq = 0;

  constructor(instanceId: string, incarnation = randomBytes(4).toString('hex')) {
    this.src = `${instanceId}~${incarnation}`;
  }

  next(): number {
    return this.seq++;
  }
}
