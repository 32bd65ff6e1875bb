/*
 * The consuming side of the Kafka port: read the partitions this instance owns from the offsets
 * OPLOG gives, one batch per partition at a time. Kafka's consumer group is no authority here
 * (OPLOG's epoch is the fence): the source only mirrors committed offsets into a group, for lag tools.
 */

/** One fetched record, as the client read it. */
export interface SourceRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as the broker holds them (bytes); a header without a value is left out. */
  headers: Record<string, Buffer>;
  /** The record's timestamp, in ms since the epoch. */
  timestamp: number;
}

/** Records of one partition, in offset order. */
export interface SourceBatch {
  topic: string;
  partition: number;
  records: readonly SourceRecord[];
  /**
   * False once the rest of this batch must not be used: the partition was sought after the batch
   * was handed over, or the source is closing. (A pause does not end the batch: it stops the next one.)
   */
  isCurrent(): boolean;
  /** Lets a client that needs it keep its group session alive during a long batch (a flush retried for minutes). */
  heartbeat(): Promise<void>;
}

/**
 * Called with each batch. At most one batch per partition is being handled at any time; batches of
 * different partitions run concurrently. The source moves the partition's position past the batch
 * when it hands it over, so a batch handled only in part must be followed by a seek (or a pause).
 */
export type BatchHandler = (batch: SourceBatch) => Promise<void>;

export interface RecordSourceOptions {
  topic: string;
  /** The first offset to read of every partition to read (OPLOG's next_offset). */
  from: ReadonlyMap<number, number>;
  /** The Kafka consumer group committed offsets are mirrored to (lag tools read it; never read back). */
  groupId: string;
  handle: BatchHandler;
  /** The longest a fetch waits on the broker for new records (the idle latency of a new record). */
  maxWaitMs?: number;
  /** A fetch's byte budget (part of a reader's memory bound). */
  maxBytes?: number;
  /**
   * For a client that reads through group membership (kafkajs): how long the group waits for a
   * silent member, and for members to rejoin. A client that reads without membership ignores it.
   */
  groupTiming?: { sessionTimeoutMs?: number; rebalanceTimeoutMs?: number };
  /** A fault the source cannot get past by itself (the stream ends); transient fetch errors are retried inside. */
  onFailure?: (error: Error) => void;
  /** A transient fetch error, retried (for the log). */
  onRetry?: (error: Error) => void;
}

/**
 * A running read of some partitions of one topic. Started by KafkaPort.source(); delivery begins
 * at once, from the given offsets (whatever the group's offsets say).
 */
export interface RecordSource {
  /** Stops delivering batches of this partition (a batch being handled runs on: see isCurrent()). */
  pause(partition: number): void;
  resume(partition: number): void;
  /** The next batch of the partition starts at `offset`: nothing fetched before the seek is delivered after it. */
  seek(partition: number, offset: number): void;
  /** Mirrors a committed offset (the next offset to read) into the group; best effort, the latest wins. */
  mirrorCommitted(partition: number, offset: number): void;
  /** Ends delivery: no batch is handed over after it resolves; waits for the batches being handled. */
  close(): Promise<void>;
}
