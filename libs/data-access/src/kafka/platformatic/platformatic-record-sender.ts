import { Admin, type BaseOptions, Producer, type ProduceResult } from '@platformatic/kafka';
import { withDeadline } from '../port/deadline';
import type { KafkaRecord, RecordSender, RecordSenderOptions } from '../port/kafka.port';
import { checkPartitions } from '../port/partition-check';
import { cachedPartitionCount } from '../port/partition-counts';
import { SendTimeoutError } from '../port/send-errors';
import { type PartitionAnswer, recordOffsets } from '../produce-answer';
import { partitionCountOf } from './platformatic-admin';

/**
 * The port's sender on @platformatic/kafka: an idempotent producer (acks=all), one send at a time,
 * every answer verified, each send bounded in time, and a NEW producer after any failed send.
 *
 * Why one send at a time: the client keeps one request in flight per broker when idempotent, so
 * more outstanding sends only queue inside it, and the sends queued there fail together with the
 * one in front of them (see platformatic-client.int.spec.ts); one at a time, each send's bound and
 * the producer's replacement concern that send alone. The order per partition would hold either way.
 * Why a new producer after a failure, when the client already takes a new producer id itself: a
 * send cut by our bound may still be retrying inside the client, without end when idempotent.
 */
export class PlatformaticRecordSender implements RecordSender {
  private producer: Producer;
  private readonly admin: Admin;
  private readonly partitionCount: (topic: string) => Promise<number>;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly clientOptions: BaseOptions, private readonly options: RecordSenderOptions) {
    this.producer = this.createProducer();
    this.admin = new Admin(clientOptions);
    this.partitionCount = cachedPartitionCount((topic) => partitionCountOf(this.admin, topic));
  }

  send(topic: string, records: readonly KafkaRecord[]): Promise<number[]> {
    const run = this.chain.then(() => this.sendNow(topic, records));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.producer.close();
    await this.admin.close();
  }

  private async sendNow(topic: string, records: readonly KafkaRecord[]): Promise<number[]> {
    const partitions = records.map((r) => r.partition);
    const { sendTimeoutMs } = this.options;
    const late = () => new SendTimeoutError(topic, sendTimeoutMs);
    checkPartitions(topic, partitions, await withDeadline(this.partitionCount(topic), sendTimeoutMs, late));
    const producer = this.producer;
    try {
      const result = await withDeadline(producer.send({ messages: records.map((r) => toMessage(topic, r)) }), sendTimeoutMs, late);
      return recordOffsets(topic, partitions, answerOf(result));
    } catch (error) {
      this.renew(producer);
      throw error;
    }
  }

  private createProducer(): Producer {
    return new Producer({ ...this.clientOptions, idempotent: true, acks: -1, autocreateTopics: false, timeout: this.options.sendTimeoutMs });
  }

  /** The failed producer is closed without waiting (it may hang on a stopped broker). */
  private renew(failed: Producer): void {
    if (this.producer !== failed) return;
    void failed.close(true).catch(() => undefined);
    this.producer = this.createProducer();
  }
}

function toMessage(topic: string, record: KafkaRecord) {
  return {
    topic,
    partition: record.partition,
    key: toBuffer(record.key),
    value: toBuffer(record.value),
    headers: new Map(Object.entries(record.headers ?? {}).map(([name, value]) => [Buffer.from(name), Buffer.from(value)])),
  };
}

function toBuffer(data: Buffer | string | null): Buffer | undefined {
  if (data === null) return undefined;
  return typeof data === 'string' ? Buffer.from(data) : data;
}

/** The client's answer in the shape verifiedBaseOffsets checks (it reports per-partition errors by rejecting). */
function answerOf(result: ProduceResult): PartitionAnswer[] {
  return (result.offsets ?? []).map((o) => ({ topicName: o.topic, partition: o.partition, errorCode: 0, baseOffset: String(o.offset) }));
}
