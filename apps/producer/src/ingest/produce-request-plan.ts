import type { KafkaRecord } from '@async2/data-access';

/** Bounds of one produce request. */
export interface ProduceRequestLimits {
  /** Most records in one request. */
  maxEvents: number;
  /**
   * Most record bytes (recordBytes) of one partition in one request: its record batch must stay
   * under the topic's max.message.bytes (see batchBytesLimit), or the broker refuses the whole request.
   */
  maxBatchBytes: number;
  /** Most record bytes of one request, all partitions: far under the broker's socket.request.max.bytes. */
  maxRequestBytes: number;
  /**
   * The leader broker of a partition: one request carries partitions of one leader only, so the
   * client sends it as ONE request (see PartitionLeaders). Absent: any partitions together.
   */
  leaderOf?: (partition: number) => number | undefined;
}

/** What the plan needs to know of a queued record. */
export interface PlannedRecord {
  partition: number;
  bytes: number;
}

/*
 * Record format v2 (KIP-98), one record: length, attributes, timestampDelta, offsetDelta, keyLength,
 * valueLength, headerCount (varints: at most 5 bytes each, 10 for the timestamp delta, 1 for the
 * attributes) = at most 36 bytes, plus two length varints per header. We count 40 and 10.
 */
const RECORD_OVERHEAD = 40;
const HEADER_OVERHEAD = 10;
/*
 * A record batch's header is 61 bytes; the broker compares max.message.bytes with the whole batch
 * (uncompressed here: no compression is configured). 1 KiB of headroom covers the header with room
 * to spare, so the bound never depends on the estimate being exact to the byte.
 */
const BATCH_HEADROOM = 1024;
/** The default socket.request.max.bytes is 100 MiB; a request stays well under it. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/** Record bytes of the batch for a topic whose max.message.bytes is `maxMessageBytes`. */
export function batchBytesLimit(maxMessageBytes: number): number {
  return Math.max(1, maxMessageBytes - BATCH_HEADROOM);
}

/** An upper bound of the bytes a message takes in a v2 record batch. */
export function recordBytes(message: Pick<KafkaRecord, 'key' | 'value' | 'headers'>): number {
  let bytes = RECORD_OVERHEAD + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += HEADER_OVERHEAD + Buffer.byteLength(name) + byteLength(value);
  return bytes;
}

function byteLength(value: Buffer | string | null): number {
  if (value === null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * The next produce request from a queue: records in queue order, within the limits, all of them
 * for partitions led by the first record's leader (the others wait for the next request; a
 * partition has one leader, so order per partition is kept). A partition whose batch is full is
 * closed for this request (its later records wait); the other partitions' records still join. A record alone in its batch is always taken,
 * even above maxBatchBytes: the broker then refuses it, as it would any request carrying it.
 */
export function takeProduceRequest<T>(queue: readonly T[], describe: (item: T) => PlannedRecord, limits: ProduceRequestLimits): { request: T[]; rest: T[] } {
  const request: T[] = [];
  const rest: T[] = [];
  const batchBytes = new Map<number, number>();
  const closed = new Set<number>();
  let requestBytes = 0;
  let full = false;
  const leaderOf = limits.leaderOf ?? (() => undefined);
  const leader = queue.length > 0 ? leaderOf(describe(queue[0]).partition) : undefined;
  for (const item of queue) {
    if (full) {
      rest.push(item);
      continue;
    }
    const { partition, bytes } = describe(item);
    const inBatch = batchBytes.get(partition) ?? 0;
    if (closed.has(partition) || leaderOf(partition) !== leader || (inBatch > 0 && inBatch + bytes > limits.maxBatchBytes)) {
      closed.add(partition);
      rest.push(item);
      continue;
    }
    if (request.length > 0 && requestBytes + bytes > limits.maxRequestBytes) {
      full = true;
      rest.push(item);
      continue;
    }
    request.push(item);
    batchBytes.set(partition, inBatch + bytes);
    requestBytes += bytes;
    full = request.length >= limits.maxEvents;
  }
  return { request, rest };
}
