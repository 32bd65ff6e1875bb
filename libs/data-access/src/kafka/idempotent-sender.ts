import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { withExplicitPartitions } from './explicit-partitions';
import { verifiedBaseOffsets } from './produce-answer';

/**
 * Sends through a kafkajs idempotent producer, one request at a time, and starts a NEW producer
 * (a new producer id) after any failed send.
 *
 * Why: kafkajs keeps a partition's sequence number when a send fails. If the broker did append the
 * failed batch (the answer was lost: a timeout, a broker killed after the append), the next batch
 * reuses that sequence and the broker takes it for a retry of the appended one: it answers with
 * the old batch's offsets and writes nothing. The events are acknowledged and lost, and the old
 * events are acknowledged at their positions. The Java client avoids this by bumping the producer
 * epoch after such a failure (KIP-360); kafkajs does not, so we take a fresh producer id.
 *
 * A send whose answer does not cover exactly the partitions sent, once each, is a failed send too
 * (verifiedBaseOffsets throws): kafkajs can resolve a send without a partition after a leader change.
 */
export class IdempotentSender {
  private producer: Producer;
  private stale = false;
  private chain: Promise<unknown> = Promise.resolve();
  private unkeyed = 0;
  renewals = 0;

  /**
   * @param partitionCount for records sent without a partition: the topic's partition count, so the
   *   sender can give them one (keyed: Kafka's default partitioner; unkeyed: round robin) and check the answer.
   */
  constructor(private readonly createProducer: () => Producer, private readonly partitionCount?: (topic: string) => Promise<number>) {
    this.producer = createProducer();
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Sends after every send queued before it; a failure marks the producer for replacement. */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    const run = this.chain.then(() => this.sendNow(record));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async disconnect(): Promise<void> {
    await this.chain;
    await this.producer.disconnect();
  }

  private async sendNow(record: ProducerRecord): Promise<RecordMetadata[]> {
    const messages = await this.explicit(record);
    if (this.stale) await this.renew();
    try {
      const answer = await this.producer.send({ ...record, messages });
      verifiedBaseOffsets(record.topic, messages.map((m) => m.partition), answer);
      return answer;
    } catch (error) {
      this.stale = true;
      throw error;
    }
  }

  private async explicit(record: ProducerRecord) {
    if (record.messages.every((m) => m.partition !== undefined)) return record.messages as Array<(typeof record.messages)[number] & { partition: number }>;
    if (!this.partitionCount) throw new Error(`records for ${record.topic} need a partition: this sender was made without a partition count`);
    return withExplicitPartitions(record.messages, await this.partitionCount(record.topic), () => this.unkeyed++);
  }

  /** A new producer id: its sequence numbers start again, so nothing new is taken for a duplicate. */
  private async renew(): Promise<void> {
    const old = this.producer;
    await old.disconnect().catch(() => undefined);
    this.producer = this.createProducer();
    await this.producer.connect(); // throws while Kafka is away: stays stale, the send fails (503)
    this.stale = false;
    this.renewals++;
  }
}
