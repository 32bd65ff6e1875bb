import { Admin, type BaseOptions, Consumer } from '@platformatic/kafka';
import type { RecordSource, RecordSourceOptions, SourceRecord } from '../port/record-source';
import { GroupOffsetMirror } from './group-offset-mirror';
import { isBrokerError } from './platformatic-errors';

const RETRY_DELAY_MS = 500;
const OFFSET_OUT_OF_RANGE = 1;
/** ListOffsets' special timestamps. */
const LATEST = -1n;
const EARLIEST = -2n;

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;
type FetchedPartition = FetchResponse['responses'][number]['partitions'][number];

/**
 * The port's source on @platformatic/kafka, without a consumer group: its own fetch loop over the
 * client's Fetch call (the client's MANUAL stream mode still joins a group and reads only what the
 * group assigns, and has no per-partition pause or seek). So there is no rebalance, and no seek
 * race: each partition's position is ours alone, and a fetch answered after a seek of its
 * partition is dropped whole, so nothing fetched for the old position reaches the reader.
 *
 * One fetch per leader broker at a time; a partition is left out of the next fetch while its batch
 * is being handled or while it is paused. A leader change fails the fetch (NOT_LEADER_OR_FOLLOWER):
 * the client retries after a metadata refresh, and we retry after its retries. An offset out of
 * range (retention removed it) moves the position to the log start, as kafkajs does: the records
 * above the expected offset then tell the reader about the gap.
 */
export class PlatformaticRecordSource implements RecordSource {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly mirror: GroupOffsetMirror;
  private readonly position = new Map<number, number>();
  private readonly seeks = new Map<number, number>();
  private readonly paused = new Set<number>();
  private readonly handling = new Map<number, Promise<void>>();
  private closing = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    clientOptions: BaseOptions,
    private readonly options: RecordSourceOptions,
  ) {
    for (const [partition, offset] of options.from) this.position.set(partition, offset);
    // The group id is required by the client's options; this consumer never joins it.
    this.consumer = new Consumer({ ...clientOptions, groupId: options.groupId, maxWaitTime: options.maxWaitMs ?? 100, ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}) });
    this.consumer.topics.track(options.topic);
    this.admin = new Admin(clientOptions);
    this.mirror = new GroupOffsetMirror(this.admin, options.groupId, options.topic);
  }

  start(): void {
    this.loop = this.run();
  }

  pause(partition: number): void {
    this.paused.add(partition);
  }

  resume(partition: number): void {
    this.paused.delete(partition);
    this.wake?.();
  }

  seek(partition: number, offset: number): void {
    this.position.set(partition, offset);
    this.seeks.set(partition, (this.seeks.get(partition) ?? 0) + 1);
    this.wake?.();
  }

  mirrorCommitted(partition: number, offset: number): void {
    if (!this.closing) this.mirror.set(partition, offset);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    await Promise.all(this.handling.values());
    // Forced: a fetch on the wire (a broker that does not answer) fails now instead of at its timeout.
    await this.consumer.close(true);
    await this.loop;
    await this.mirror.drain();
    await this.admin.close();
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      const wanted = [...this.position.keys()].filter((p) => !this.paused.has(p) && !this.handling.has(p));
      if (wanted.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        await this.fetchOnce(wanted);
      } catch (error) {
        if (this.closing) return;
        this.options.onRetry?.(error as Error);
        this.consumer.clearMetadata();
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      }
    }
  }

  /** One fetch from each leader of the wanted partitions; hands each non-empty answer to the reader. */
  private async fetchOnce(wanted: number[]): Promise<void> {
    const { topic } = this.options;
    const metadata = await this.consumer.metadata({ topics: [topic] });
    const topicMetadata = metadata.topics.get(topic);
    if (!topicMetadata) throw new Error(`topic ${topic} is not in the metadata`);
    const byLeader = new Map<number, number[]>();
    for (const partition of wanted) {
      const leader = topicMetadata.partitions[partition]?.leader ?? -1;
      if (leader < 0) continue; // no leader now: the next metadata will have one
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    if (byLeader.size === 0) throw new Error(`no leader for partitions ${wanted.join(', ')} of ${topic}`);
    await Promise.all(
      [...byLeader].map(async ([node, partitions]) => {
        const asked = new Map(partitions.map((p) => [p, { offset: this.position.get(p) as number, seeks: this.seeks.get(p) ?? 0 }]));
        const request = [...asked].map(([partition, { offset }]) => ({ partition, fetchOffset: BigInt(offset), partitionMaxBytes: this.options.maxBytes ?? 1024 * 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }));
        let response: FetchResponse;
        try {
          response = await this.consumer.fetch({ node, topics: [{ topicId: topicMetadata.id, partitions: request }] });
        } catch (error) {
          if (!(await this.moveOutOfRange(error, asked))) throw error;
          return;
        }
        for (const topicResponse of response.responses) {
          for (const answer of topicResponse.partitions) {
            const ask = asked.get(answer.partitionIndex);
            // Not asked (a fetch session can add lingering partitions), sought or paused since, or
            // closing: drop it, its position unmoved (a resume fetches it again).
            if (!ask || this.closing || this.paused.has(answer.partitionIndex) || (this.seeks.get(answer.partitionIndex) ?? 0) !== ask.seeks) continue;
            this.handOver(answer, ask.offset);
          }
        }
      }),
    );
  }

  private handOver(answer: FetchedPartition, from: number): void {
    const partition = answer.partitionIndex;
    const batches = answer.records ?? [];
    if (batches.length === 0) return;
    const records: SourceRecord[] = [];
    for (const batch of batches) {
      if (batch.attributes & 0x20) continue; // a control batch (transaction marker): no records of ours
      // Converted once per batch, not per record (BigInt arithmetic allocates).
      const firstOffset = Number(batch.firstOffset);
      const firstTimestamp = Number(batch.firstTimestamp);
      for (const r of batch.records) {
        const offset = firstOffset + r.offsetDelta;
        if (offset < from) continue; // a record batch starts before the offset asked for
        const headers: Record<string, Buffer> = {};
        for (const [name, value] of r.headers) if (name && value) headers[name.toString()] = value;
        records.push({ partition, offset, key: r.key, value: r.value, headers, timestamp: firstTimestamp + Number(r.timestampDelta) });
      }
    }
    const lastBatch = batches[batches.length - 1];
    this.position.set(partition, Math.max(from, Number(lastBatch.firstOffset) + lastBatch.lastOffsetDelta + 1));
    if (records.length === 0) return;
    const seeks = this.seeks.get(partition) ?? 0;
    const handled = this.options
      .handle({
        topic: this.options.topic,
        partition,
        records,
        isCurrent: () => !this.closing && (this.seeks.get(partition) ?? 0) === seeks,
        heartbeat: async () => undefined, // no group session to keep alive
      })
      .catch((error: Error) => this.options.onFailure?.(error))
      .finally(() => {
        this.handling.delete(partition);
        this.wake?.();
      });
    this.handling.set(partition, handled);
  }

  /**
   * OFFSET_OUT_OF_RANGE: positions below the log start move to it, positions past the end to the
   * end. The broker answers such a partition with -1 for its log start and high watermark, so both
   * are asked for (ListOffsets EARLIEST and LATEST) when the answer does not carry them.
   */
  private async moveOutOfRange(error: unknown, asked: Map<number, { offset: number; seeks: number }>): Promise<boolean> {
    if (!isBrokerError(error, 'OFFSET_OUT_OF_RANGE')) return false;
    const response = (error as { response?: FetchResponse }).response;
    const outOfRange = (response?.responses ?? []).flatMap((t) => t.partitions).filter((answer) => {
      const ask = asked.get(answer.partitionIndex);
      return answer.errorCode === OFFSET_OUT_OF_RANGE && ask !== undefined && (this.seeks.get(answer.partitionIndex) ?? 0) === ask.seeks;
    });
    if (outOfRange.length === 0) return false;
    const needLookup = outOfRange.some((a) => Number(a.logStartOffset) < 0 || Number(a.highWatermark) < 0);
    const [starts, ends] = needLookup ? await Promise.all([this.listOffsets(EARLIEST), this.listOffsets(LATEST)]) : [new Map<number, number>(), new Map<number, number>()];
    let moved = false;
    for (const answer of outOfRange) {
      const partition = answer.partitionIndex;
      const ask = asked.get(partition) as { offset: number; seeks: number };
      if ((this.seeks.get(partition) ?? 0) !== ask.seeks) continue; // sought while we asked
      const logStart = Number(answer.logStartOffset) >= 0 ? Number(answer.logStartOffset) : starts.get(partition);
      const end = Number(answer.highWatermark) >= 0 ? Number(answer.highWatermark) : ends.get(partition);
      if (logStart === undefined || end === undefined) continue;
      this.position.set(partition, ask.offset < logStart ? logStart : end);
      moved = true;
    }
    return moved;
  }

  /** One ListOffsets answer for the source's partitions: EARLIEST (log start) or LATEST (high watermark). */
  private async listOffsets(timestamp: bigint): Promise<Map<number, number>> {
    const partitions = [...this.position.keys()].map((partitionIndex) => ({ partitionIndex, timestamp }));
    const [listed] = await this.admin.listOffsets({ topics: [{ name: this.options.topic, partitions }] });
    return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.offset)]));
  }
}
