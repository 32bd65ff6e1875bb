import { encodeEventRecord } from '@async2/data-access';
import { type ChangeEvent, type StampedEvent, ValidationError, validateBatch, validateEvent } from '@async2/domain';
import { Inject, Injectable } from '@nestjs/common';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import type { PublishOutcome } from './coalescing-publisher';
import { OverloadedError } from './ingest-errors';
import { KafkaPublisher } from './kafka-publisher.service';
import { PartitionMap } from './partition-map.service';
import { publishTraced } from './publish-tracing';
import { RecordIdentity } from './record-identity';

/** What publishEach answers for one input: Kafka's outcome, or why it was not published. */
export type EachOutcome = PublishOutcome | { ok: false; error: ValidationError | OverloadedError };

/** validate -> stamp (receive time, instance) -> partition = murmur2(id) mod P -> publish. */
@Injectable()
export class PublishService {
  private readonly identity: RecordIdentity;

  constructor(
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
    private readonly partitions: PartitionMap,
    private readonly publisher: KafkaPublisher,
  ) {
    this.identity = new RecordIdentity(config.instanceId);
  }

  /** Throws ValidationError before anything is published. */
  publishOne(body: unknown): Promise<PublishOutcome[]> {
    return this.publish([validateEvent(body, this.config.limits)]);
  }

  /** All events are validated first: one invalid event rejects the batch and publishes nothing. */
  publishBatch(body: unknown): Promise<PublishOutcome[]> {
    return this.publish(validateBatch(body, this.config.limits));
  }

  /**
   * Each input judged on its own (a PublishStream's events): an invalid one is answered with its
   * ValidationError and does not hold back the others; the valid ones are published together, in
   * order, in one call (one promise and one timer for all, as a batch). When the publisher's queue
   * cannot take them all, none of them is published: each is answered with the OverloadedError.
   * `bodyOf` turns an input into the JSON body the validator judges (it may throw ValidationError too).
   */
  async publishEach<T>(inputs: readonly T[], bodyOf: (input: T) => unknown): Promise<EachOutcome[]> {
    const answers = new Array<EachOutcome>(inputs.length);
    const events: ChangeEvent[] = [];
    const places: number[] = [];
    for (let i = 0; i < inputs.length; i++) {
      try {
        events.push(validateEvent(bodyOf(inputs[i]), this.config.limits));
        places.push(i);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        answers[i] = { ok: false, error };
      }
    }
    if (events.length === 0) return answers;
    try {
      const outcomes = await this.publish(events);
      for (let k = 0; k < places.length; k++) answers[places[k]] = outcomes[k];
    } catch (error) {
      if (!(error instanceof OverloadedError)) throw error;
      for (const place of places) answers[place] = { ok: false, error };
    }
    return answers;
  }

  // Synchronous from stamping to queueing (publishTraced calls the publisher before its first await):
  // records are queued in seq order, which the consumer's copy check relies on (RecordIdentity).
  private publish(events: ChangeEvent[]): Promise<PublishOutcome[]> {
    const ts = Date.now();
    const records = events.map((event) => {
      const stamped: StampedEvent = { ...event, ts, src: this.identity.src, seq: this.identity.next() };
      const { key, value } = encodeEventRecord(stamped);
      // The key is the id's UTF-8 bytes: hashed as they are, not encoded a second time.
      return { key, value, partition: this.partitions.partitionOf(key) };
    });
    return publishTraced(this.config.topics.topic, records, (traced) => this.publisher.publish(traced));
  }
}
