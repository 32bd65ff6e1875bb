import type { KafkaRecord } from '@async2/data-access';
import { OverloadedError, PublishUnavailableError } from './ingest-errors';
import { MAX_REQUEST_BYTES, recordBytes, takeProduceRequest } from './produce-request-plan';

/** One record to publish, with the partition our partitioner chose. */
export type OutgoingRecord = KafkaRecord;

export type PublishOutcome = { ok: true; partition: number; offset: number } | { ok: false; error: PublishUnavailableError };

/**
 * The one Kafka call the publisher makes: one produce request (acks=all) for many records,
 * resolving each record's offset, or rejecting as a whole (RecordSender.send).
 */
export type SendBatch = (messages: OutgoingRecord[]) => Promise<number[]>;

export interface CoalescingOptions {
  /** How long the first record of a batch may wait for company. */
  lingerMs: number;
  /** Most records in one produce request. */
  maxBatchEvents: number;
  /** Most record bytes of one partition in one produce request (under the topic's max.message.bytes; see batchBytesLimit). */
  maxBatchBytes: number;
  /** Most records waiting or in flight; beyond it, publish() refuses with OverloadedError. */
  maxPendingEvents: number;
  /** How long a caller waits for Kafka's answer before being told the outcome is unknown. */
  timeoutMs: number;
  /** The current leader broker of a partition: each request carries one leader's partitions (see takeProduceRequest). */
  leaderOf?: (partition: number) => number | undefined;
}

/** The records of one publish() call: one promise, one timer and one outcome array for all of them. */
interface Caller {
  outcomes: PublishOutcome[];
  /** Records not yet reported to the caller. */
  left: number;
  resolve: (outcomes: PublishOutcome[]) => void;
  timer: NodeJS.Timeout | undefined;
}

interface Pending {
  record: OutgoingRecord;
  /** Its size in a record batch (recordBytes). */
  bytes: number;
  caller: Caller;
  /** Its place in the caller's outcomes. */
  index: number;
  /** Taken into a produce request: from here on its outcome is Kafka's. */
  onWire: boolean;
  /** Answered 503 while still queued: never sent. */
  withdrawn: boolean;
  /** Its outcome was given to the caller (Kafka's answer or the timeout, whichever came first). */
  reported: boolean;
}

/**
 * kafkajs sends each `send()` as its own request. This gathers the records of concurrent requests
 * for a short linger and sends them as one produce request (one record batch per partition), one
 * request at a time, which the idempotent producer needs for ordering anyway. Each record's offset
 * comes from the sender, which checked Kafka's answer (see RecordSender).
 */
export class CoalescingPublisher {
  private queue: Pending[] = [];
  private pending = 0;
  private sending = false;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(private readonly send: SendBatch, private readonly options: CoalescingOptions) {}

  /** Number of records accepted by publish() and not yet answered. */
  get pendingCount(): number {
    return this.pending;
  }

  /**
   * Publishes records; resolves one outcome per record, in order. Either all are queued or, when
   * the queue is full, none is and it throws OverloadedError.
   */
  publish(records: OutgoingRecord[]): Promise<PublishOutcome[]> {
    if (this.pending + records.length > this.options.maxPendingEvents) {
      throw new OverloadedError(`${this.pending} events are waiting for Kafka; try again shortly`);
    }
    if (records.length === 0) return Promise.resolve([]);
    this.pending += records.length;
    // One promise and one timer per call, not per record: a batch of 500 costs what one event does.
    return new Promise<PublishOutcome[]>((resolve) => {
      const caller: Caller = { outcomes: new Array<PublishOutcome>(records.length), left: records.length, resolve, timer: undefined };
      const items = records.map((record, index): Pending => ({ record, bytes: recordBytes(record), caller, index, onWire: false, withdrawn: false, reported: false }));
      for (const item of items) this.queue.push(item);
      caller.timer = setTimeout(() => this.timedOut(items), this.options.timeoutMs);
      this.schedule();
    });
  }

  /**
   * The caller's wait is over. A record still queued is withdrawn: it is never sent afterwards. The
   * client will retry it (same eventId) elsewhere, and a late copy could be applied twice once more
   * than DEDUPE_WINDOW other eventIds reached its ID in between. Only a record already in a produce
   * request stays unknown (and counted under maxPendingEvents until Kafka answers).
   */
  private timedOut(items: readonly Pending[]): void {
    const { timeoutMs } = this.options;
    for (const item of items) {
      if (item.reported) continue;
      if (item.onWire) {
        this.report(item, { ok: false, error: new PublishUnavailableError(`Kafka did not acknowledge within ${timeoutMs} ms; outcome unknown`) });
      } else {
        item.withdrawn = true;
        this.answer(item, { ok: false, error: new PublishUnavailableError(`Kafka did not take the event within ${timeoutMs} ms; it was not sent and will not be`) });
      }
    }
  }

  /** Kafka answered the record (or it was withdrawn unsent): it no longer counts as pending. */
  private answer(item: Pending, outcome: PublishOutcome): void {
    this.pending -= 1;
    this.report(item, outcome);
  }

  /** Gives the record's outcome to its caller (once); the caller hears back when all its records have one. */
  private report(item: Pending, outcome: PublishOutcome): void {
    if (item.reported) return;
    item.reported = true;
    const { caller } = item;
    caller.outcomes[item.index] = outcome;
    if (--caller.left > 0) return;
    clearTimeout(caller.timer);
    caller.resolve(caller.outcomes);
  }

  private schedule(): void {
    if (this.sending || this.lingerTimer) return;
    if (this.queue.length >= this.options.maxBatchEvents || this.options.lingerMs === 0) {
      void this.drain();
      return;
    }
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      void this.drain();
    }, this.options.lingerMs);
  }

  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      for (;;) {
        const batch = this.takeBatch();
        if (batch.length === 0) break;
        await this.sendOne(batch);
      }
    } finally {
      this.sending = false;
    }
  }

  /** The next produce request's records (within the count and byte limits), skipping withdrawn ones; they are on the wire from here. */
  private takeBatch(): Pending[] {
    const { maxBatchEvents, maxBatchBytes, leaderOf } = this.options;
    const { request, rest } = takeProduceRequest(
      this.queue.filter((p) => !p.withdrawn),
      (p) => ({ partition: p.record.partition, bytes: p.bytes }),
      { maxEvents: maxBatchEvents, maxBatchBytes, maxRequestBytes: MAX_REQUEST_BYTES, leaderOf },
    );
    this.queue = rest;
    for (const item of request) item.onWire = true;
    return request;
  }

  private async sendOne(batch: Pending[]): Promise<void> {
    try {
      const offsets = await this.send(batch.map((p) => p.record));
      batch.forEach((item, i) => this.answer(item, { ok: true, partition: item.record.partition, offset: offsets[i] }));
    } catch (error) {
      const failure = new PublishUnavailableError(`Kafka did not accept the events: ${(error as Error).message}`);
      for (const item of batch) this.answer(item, { ok: false, error: failure });
    }
  }
}
