import { decodeChangeRecord } from '@async2/data-access';
import { formatChangeCursor } from '@async2/domain';
import type { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { SseSink } from './sse-sink';

export interface SubscriptionOptions {
  kafka: Kafka;
  topic: string;
  /** Where to start: the next offset to read of every partition of the change topic. */
  from: Map<number, number>;
  /** Only changes of IDs starting with this ('' = all). */
  prefix: string;
  heartbeatMs: number;
  bufferBytes: number;
  slowSubscriberTimeoutMs: number;
  logger: Logger;
}

export type DropReason = 'slow-subscriber' | 'shutting-down' | 'stream-failed';

/**
 * One SSE subscriber of the change topic: its own kafkajs consumer (a throwaway group, nothing
 * committed: the position is the subscriber's cursor), seeked to the cursor on every join. Each
 * change goes out with the cursor just after it as its SSE `id`, so `Last-Event-ID` resumes there.
 *
 * Backpressure: when the socket's backlog passes `bufferBytes`, fetching waits for it to drain;
 * when it does not drain within `slowSubscriberTimeoutMs`, the subscriber is dropped with a final
 * `dropped` event (reason and the cursor to resume from). Memory per subscriber is bounded by the
 * backlog bound plus one fetch.
 */
export class ChangeSubscription {
  private consumer: Consumer | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly position: Map<number, number>;
  private closing = false;
  sent = 0;

  constructor(
    private readonly sink: SseSink,
    private readonly options: SubscriptionOptions,
    private readonly onClosed: () => void,
  ) {
    this.position = new Map(options.from);
  }

  get cursor(): string {
    return formatChangeCursor(this.position);
  }

  async start(): Promise<void> {
    const { kafka, topic } = this.options;
    this.sink.event('ready', { cursor: this.cursor }, this.cursor);
    this.heartbeat = setInterval(() => this.sink.comment(`heartbeat ${new Date().toISOString()}`), this.options.heartbeatMs);
    const consumer = kafka.consumer({
      groupId: `async2-changes-${randomUUID()}`,
      maxWaitTimeInMs: 50,
      maxBytes: 1024 * 1024, // one fetch is part of this subscriber's memory bound
      allowAutoTopicCreation: false,
      retry: { retries: 5 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of this.position) consumer.seek({ topic, partition, offset: String(offset) });
    });
    consumer.on(consumer.events.CRASH, (event) => void this.drop('stream-failed', `the change topic cannot be read: ${event.payload.error.message}`));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.onBatch(payload) });
    if (this.closing) await consumer.disconnect(); // the subscriber left while we connected
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.closing) return;
      const offset = Number(message.offset);
      // Below the cursor: fetched before the seek landed (tulios/kafkajs#122). Above it is normal:
      // compaction leaves holes in a compacted topic's offsets.
      if (offset < (this.position.get(batch.partition) ?? 0)) continue;
      this.position.set(batch.partition, offset + 1);
      resolveOffset(message.offset);
      const decoded = decodeChangeRecord(message.key, message.value);
      if (!decoded.ok) {
        this.options.logger.warn(`change topic ${batch.partition}@${offset} skipped: ${decoded.reason}`);
        continue;
      }
      if (!decoded.change.id.startsWith(this.options.prefix)) continue;
      this.sink.event('change', decoded.change, this.cursor);
      this.sent++;
      if (this.sink.bufferedBytes > this.options.bufferBytes) {
        await heartbeat();
        if (!(await this.sink.drained(this.options.slowSubscriberTimeoutMs))) {
          await this.drop('slow-subscriber', `the subscriber read less than ${this.options.bufferBytes} bytes in ${this.options.slowSubscriberTimeoutMs} ms; reconnect with the cursor`);
          return;
        }
      }
    }
    await heartbeat();
  }

  /** Ends the stream with a final `dropped` event saying why and where to resume. */
  async drop(reason: DropReason, message: string): Promise<void> {
    if (this.closing) return;
    if (!this.sink.closed) {
      this.options.logger.warn(`change subscriber dropped (${reason}) at cursor ${this.cursor} after ${this.sent} changes: ${message}`);
      this.sink.event('dropped', { reason, message, cursor: this.cursor });
      this.sink.end(this.options.slowSubscriberTimeoutMs);
    }
    await this.close();
  }

  /** The subscriber left (or was dropped): stop its consumer. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.heartbeat);
    // Not awaited from inside eachBatch: disconnect waits for the running batch to end.
    const consumer = this.consumer;
    if (consumer) setImmediate(() => void consumer.disconnect().catch(() => undefined));
    this.onClosed();
  }
}
