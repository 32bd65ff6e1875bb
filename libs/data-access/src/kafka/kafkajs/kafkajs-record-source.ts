import type { Admin, Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { RecordSource, RecordSourceOptions, SourceRecord } from '../port/record-source';
import { staticPartitionAssigner } from './static-partition.assigner';

/**
 * The port's source on kafkajs. kafkajs has no manual assign() (tulios/kafkajs#373): it reads
 * through a consumer group whose static assigner gives this member exactly the partitions it
 * asked for, and after every join it seeks each partition to the position we keep, since kafkajs
 * would otherwise start at the group's committed offset. A seek lands at the next fetch
 * (tulios/kafkajs#122): a fetch in flight may still hand over records above or below the new
 * position; below it they are dropped here, above it they reach the reader (the lane's gap guard
 * seeks back a few times before it stops the partition).
 */
export class KafkajsRecordSource implements RecordSource {
  private readonly consumer: Consumer;
  /** The next offset to hand over, per partition: the start, moved past each batch and by seeks. */
  private readonly position = new Map<number, number>();
  /** Bumped by every seek: a batch handed over before it is no longer current. */
  private readonly seeks = new Map<number, number>();
  private readonly paused = new Set<number>();
  private closing = false;

  constructor(
    kafka: Kafka,
    private readonly admin: Admin,
    private readonly options: RecordSourceOptions,
  ) {
    const timing = options.groupTiming ?? {};
    for (const [partition, offset] of options.from) this.position.set(partition, offset);
    const owned = [...options.from.keys()];
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: [staticPartitionAssigner(owned)],
      maxWaitTimeInMs: options.maxWaitMs ?? 100,
      ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
      ...(timing.sessionTimeoutMs ? { sessionTimeout: timing.sessionTimeoutMs } : {}),
      ...(timing.rebalanceTimeoutMs ? { rebalanceTimeout: timing.rebalanceTimeoutMs } : {}),
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      for (const [partition, offset] of this.position) this.consumer.seek({ topic: options.topic, partition, offset: String(offset) });
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      if (!this.closing) options.onFailure?.(event.payload.error);
    });
  }

  async start(): Promise<void> {
    await this.alignGroupOffsets();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, this.options.from.size),
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  pause(partition: number): void {
    this.paused.add(partition);
    this.consumer.pause([{ topic: this.options.topic, partitions: [partition] }]);
  }

  resume(partition: number): void {
    this.paused.delete(partition);
    this.consumer.resume([{ topic: this.options.topic, partitions: [partition] }]);
  }

  seek(partition: number, offset: number): void {
    this.position.set(partition, offset);
    this.seeks.set(partition, (this.seeks.get(partition) ?? 0) + 1);
    this.consumer.seek({ topic: this.options.topic, partition, offset: String(offset) });
  }

  mirrorCommitted(partition: number, offset: number): void {
    if (this.closing) return;
    this.consumer.commitOffsets([{ topic: this.options.topic, partition, offset: String(offset) }]).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.consumer.stop();
    await this.consumer.disconnect();
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    const from = this.position.get(partition);
    // Paused after this fetch was sent: unresolved, so kafkajs fetches it again at the resume.
    if (from === undefined || this.closing || this.paused.has(partition)) return;
    // Below our position: fetched before a seek landed, or handed over again.
    const messages = batch.messages.filter((m) => Number(m.offset) >= from);
    if (messages.length === 0) return;
    const seekAtStart = this.seeks.get(partition) ?? 0;
    const last = Number(messages[messages.length - 1].offset);
    this.position.set(partition, last + 1);
    // kafkajs re-fetches from the last resolved offset: resolving the batch now moves it past the
    // batch, as the port says; a seek made while the batch is handled overrides it.
    resolveOffset(String(last));
    await this.options.handle({
      topic: batch.topic,
      partition,
      records: messages.map((m) => sourceRecord(partition, m)),
      isCurrent: () => !this.closing && isRunning() && !isStale() && (this.seeks.get(partition) ?? 0) === seekAtStart,
      heartbeat,
    });
    await heartbeat();
  }

  /** Before joining, point the group's offsets at ours, which narrows the window before the seek lands. */
  private async alignGroupOffsets(): Promise<void> {
    try {
      await this.admin.connect();
      await this.admin.setOffsets({
        groupId: this.options.groupId,
        topic: this.options.topic,
        partitions: [...this.position].map(([partition, offset]) => ({ partition, offset: String(offset) })),
      });
    } catch {
      // Fails while other members are active in the group; the seek on join covers it.
    } finally {
      await this.admin.disconnect().catch(() => undefined);
    }
  }
}

function sourceRecord(partition: number, m: KafkaMessage): SourceRecord {
  return { partition, offset: Number(m.offset), key: m.key, value: m.value, headers: headerBytes(m.headers), timestamp: Number(m.timestamp) };
}

function headerBytes(headers: IHeaders | undefined): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const one = Array.isArray(value) ? value[0] : value;
    if (one !== undefined) out[name] = Buffer.isBuffer(one) ? one : Buffer.from(one);
  }
  return out;
}
