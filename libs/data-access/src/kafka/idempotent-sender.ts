import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';

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
 */
export class IdempotentSender {
  private producer: Producer;
  private stale = false;
  private chain: Promise<unknown> = Promise.resolve();
  renewals = 0;

  constructor(private readonly createProducer: () => Producer) {
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
    if (this.stale) await this.renew();
    try {
      return await this.producer.send(record);
    } catch (error) {
      this.stale = true;
      throw error;
    }
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
