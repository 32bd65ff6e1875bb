import { type Admin, type Kafka, type Message, Partitioners } from 'kafkajs';
import { IdempotentSender } from './idempotent-sender';
import type { KafkaRecord, RecordSender, RecordSenderOptions } from '../port/kafka.port';
import { withDeadline } from '../port/deadline';
import { checkPartitions } from '../port/partition-check';
import { cachedPartitionCount } from '../port/partition-counts';
import { SendTimeoutError } from '../port/send-errors';
import { recordOffsets } from '../produce-answer';
import { partitionCountOf } from './kafkajs-admin';

/**
 * The port's sender on kafkajs: today's IdempotentSender (one request at a time, a new producer id
 * after a failed send, every answer verified), bounded in time, with partitions checked first.
 */
export class KafkajsRecordSender implements RecordSender {
  private readonly sender: IdempotentSender;
  private readonly admin: Admin;
  private readonly partitionCount: (topic: string) => Promise<number>;
  private adminConnecting: Promise<void> | undefined;

  constructor(kafka: Kafka, private readonly options: RecordSenderOptions) {
    // Idempotence makes the broker drop a retried batch it already stored, so kafkajs's own retries
    // never duplicate; it requires one request in flight, which also keeps per-partition order.
    // Records carry an explicit partition (ours); the partitioner option only silences kafkajs's v2 notice.
    this.sender = new IdempotentSender(
      () => kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner }),
      options.sendTimeoutMs,
    );
    this.admin = kafka.admin();
    this.partitionCount = cachedPartitionCount(async (topic) => {
      this.adminConnecting ??= this.admin.connect().catch((error: Error) => {
        this.adminConnecting = undefined;
        throw error;
      });
      await this.adminConnecting;
      return partitionCountOf(this.admin, topic);
    });
  }

  async send(topic: string, records: readonly KafkaRecord[]): Promise<number[]> {
    const partitions = records.map((r) => r.partition);
    const { sendTimeoutMs } = this.options;
    // The first send to a topic learns its partition count: within the send's bound too.
    checkPartitions(topic, partitions, await withDeadline(this.partitionCount(topic), sendTimeoutMs, () => new SendTimeoutError(topic, sendTimeoutMs)));
    const messages: Array<Message & { partition: number }> = records.map((r) => ({ partition: r.partition, key: r.key, value: r.value, headers: r.headers }));
    const answer = await this.sender.send({ topic, acks: -1, timeout: sendTimeoutMs, messages });
    return recordOffsets(topic, partitions, answer);
  }

  async close(): Promise<void> {
    await this.sender.disconnect();
    await this.admin.disconnect();
  }
}
