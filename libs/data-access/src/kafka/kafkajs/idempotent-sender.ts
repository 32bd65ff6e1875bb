import type { Message, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { verifiedBaseOffsets } from '../produce-answer';
import { withDeadline } from '../port/deadline';
import { SendTimeoutError } from '../port/send-errors';

/** A kafkajs record whose every message names its partition. */
export type ExplicitProducerRecord = Omit<ProducerRecord, 'messages'> & { messages: Array<Message & { partition: number }> };

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
 *
 * With `sendTimeoutMs`, a send (connecting included) that is not answered in time fails with
 * SendTimeoutError and is treated like any failed send: kafkajs can hang on a stopped broker for
 * its whole retry budget, and a producer stuck on one request would hold every later one.
 */
export class IdempotentSender {
  private producer: Producer;
  private connecting: Promise<void> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  renewals = 0;

  /** @param sendTimeoutMs the longest one send may take; unset: as long as kafkajs takes. */
  constructor(
    private readonly createProducer: () => Producer,
    private readonly sendTimeoutMs?: number,
  ) {
    this.producer = createProducer();
  }

  connect(): Promise<void> {
    this.connecting ??= this.producer.connect();
    return this.connecting;
  }

  /**
   * Sends after every send queued before it; a failure replaces the producer. Every message names
   * its partition (the caller's choice): an answer can only be checked against the partitions sent.
   */
  send(record: ExplicitProducerRecord): Promise<RecordMetadata[]> {
    const run = this.chain.then(() => this.sendNow(record));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async disconnect(): Promise<void> {
    await this.chain;
    await this.producer.disconnect();
  }

  private async sendNow(record: ExplicitProducerRecord): Promise<RecordMetadata[]> {
    const { messages } = record;
    const producer = this.producer;
    const sending = (async () => {
      await this.connect(); // throws while Kafka is away: the send fails (503)
      const answer = await producer.send(record);
      verifiedBaseOffsets(record.topic, messages.map((m) => m.partition), answer);
      return answer;
    })();
    const limit = this.sendTimeoutMs;
    try {
      return await (limit === undefined ? sending : withDeadline(sending, limit, () => new SendTimeoutError(record.topic, limit)));
    } catch (error) {
      this.renew(producer);
      throw error;
    }
  }

  /**
   * A new producer id for the next send: its sequence numbers start again, so nothing new is taken
   * for a duplicate. The failed producer is closed without waiting (it may hang on a stopped
   * broker); the new one connects at the next send, inside that send's bound.
   */
  private renew(failed: Producer): void {
    if (this.producer !== failed) return;
    void failed.disconnect().catch(() => undefined);
    this.producer = this.createProducer();
    this.connecting = undefined;
    this.renewals++;
  }
}
