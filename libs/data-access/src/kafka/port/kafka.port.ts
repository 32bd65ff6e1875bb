/*
 * The Kafka port: what the apps ask of Kafka, in this project's words. The adapters
 * (../kafkajs/, ../platformatic/) are the only code that knows a client library; the app picks
 * one with KAFKA_CLIENT (see kafka-client.choice.ts).
 *
 * Phase 1 of issue 16 covers producing and the admin calls the producer needs. The consuming side
 * (owned partitions from OPLOG's offsets, pause/resume, seek, mirrored group offsets) comes with
 * the consumer's move to the port; until then the consumer uses kafkajs directly.
 */

/** One record to send. The partition is always ours (murmur2 of the id, or the caller's choice). */
export interface KafkaRecord {
  partition: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, string | Buffer>;
}

/**
 * Sends records with acks=all through an idempotent producer.
 *
 * A send resolves only when every partition it carried was answered exactly once, without error;
 * anything else rejects the WHOLE send (never a partial success). A send that takes longer than
 * its bound rejects with SendTimeoutError. After any failed send the next one goes through a fresh
 * producer (a new producer id), so a batch whose outcome is unknown can never make the broker take
 * a later batch for its duplicate.
 */
export interface RecordSender {
  /** The offset of each record, in the order given (a partition's records are stored in that order). */
  send(topic: string, records: readonly KafkaRecord[]): Promise<number[]>;
  /** Waits for the sends already queued, then closes the producer. */
  close(): Promise<void>;
}

export interface RecordSenderOptions {
  /** The longest a send may take, from its turn to its answer (a hung client counts as failed). */
  sendTimeoutMs: number;
}

/** A topic to create. */
export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor: number;
  /** Topic configuration, e.g. `{ 'cleanup.policy': 'compact' }`. */
  config?: Record<string, string>;
}

export interface KafkaAdmin {
  /** Creates the topics that do not exist yet (an existing topic keeps its settings); waits for their leaders. */
  createTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** The topic's partition count from its metadata; UnknownTopicError if there is no such topic. */
  partitionCount(topic: string): Promise<number>;
  /** The high watermark (next offset to be written) of every partition of the topic. */
  endOffsets(topic: string): Promise<Map<number, number>>;
  /** The log start (the first offset Kafka still holds, after retention or deleteRecords) of every partition of the topic. */
  startOffsets(topic: string): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/** One client library behind the port. */
export interface KafkaPort {
  readonly client: KafkaClientName;
  sender(options: RecordSenderOptions): RecordSender;
  admin(): KafkaAdmin;
}

/** The client libraries the port has adapters for (KAFKA_CLIENT). */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];
