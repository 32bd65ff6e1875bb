import { decodeChangeRecord, type KafkaPort, type RecordSource, type SourceBatch } from '@async2/data-access';
import { formatChangeCursor } from '@async2/domain';
import type { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SseSink } from './sse-sink';

export interface SubscriptionOptions {
  /** The Kafka port (KAFKA_CLIENT): each subscriber reads through a source of its own. */
  port: KafkaPort;
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
 * One SSE subscriber of the change topic: its own source on the Kafka port, started at the cursor
 * (a throwaway group, nothing mirrored: the position is the subscriber's cursor). Each
 * change goes out with the cursor just after it as its SSE `id`, so `Last-Event-ID` resumes there.
 *
 * Backpressure: when the socket's backlog passes `bufferBytes`, fetching waits for it to drain;
 * when it does not drain within `slowSubscriberTimeoutMs`, the subscriber is dropped with a final
 * `dropped` event (reason and the cursor to resume from). Memory per subscriber is bounded by the
 * backlog bound plus one fetch.
 */
export class ChangeSubscription {
  private source: RecordSource | undefined;
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
    const { port, topic } = this.options;
    this.sink.event('ready', { cursor: this.cursor }, this.cursor);
    this.heartbeat = setInterval(() => this.sink.comment(`heartbeat ${new Date().toISOString()}`), this.options.heartbeatMs);
    const source = await port.source({
      topic,
      from: this.position,
      groupId: `async2-changes-${randomUUID()}`,
      maxWaitMs: 50,
      maxBytes: 1024 * 1024, // one fetch is part of this subscriber's memory bound
      handle: (batch) => this.onBatch(batch),
      onFailure: (error) => void this.drop('stream-failed', `the change topic cannot be read: ${error.message}`),
    });
    this.source = source;
    if (this.closing) await source.close(); // the subscriber left while we connected
  }

  private async onBatch(batch: SourceBatch): Promise<void> {
    for (const record of batch.records) {
      if (!batch.isCurrent() || this.closing) return;
      // The source starts at the cursor; offsets above it are normal: compaction leaves holes in a
      // compacted topic's offsets.
      this.position.set(batch.partition, record.offset + 1);
      const decoded = decodeChangeRecord(record.key, record.value);
      if (!decoded.ok) {
        this.options.logger.warn(`change topic ${batch.partition}@${record.offset} skipped: ${decoded.reason}`);
        continue;
      }
      if (!decoded.change.id.startsWith(this.options.prefix)) continue;
      this.sink.event('change', decoded.change, this.cursor);
      this.sent++;
      if (this.sink.bufferedBytes > this.options.bufferBytes) {
        await batch.heartbeat();
        if (!(await this.sink.drained(this.options.slowSubscriberTimeoutMs))) {
          await this.drop('slow-subscriber', `the subscriber read less than ${this.options.bufferBytes} bytes in ${this.options.slowSubscriberTimeoutMs} ms; reconnect with the cursor`);
          return;
        }
      }
    }
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
    // Not awaited: called from inside a batch, and closing the source waits for the running batch to end.
    const source = this.source;
    if (source) setImmediate(() => void source.close().catch(() => undefined));
    this.onClosed();
  }
}
