import { encodeEventRecord } from '@async2/data-access';
import { type ChangeEvent, type StampedEvent, validateBatch, validateEvent } from '@async2/domain';
import { Inject, Injectable } from '@nestjs/common';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import type { PublishOutcome } from './coalescing-publisher';
import { KafkaPublisher } from './kafka-publisher.service';
import { PartitionMap } from './partition-map.service';
import { publishTraced } from './publish-tracing';
import { RecordIdentity } from './record-identity';

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

  // Synchronous from stamping to queueing (publishTraced calls the publisher before its first await):
  // records are queued in seq order, which the consumer's copy check relies on (RecordIdentity).
  private publish(events: ChangeEvent[]): Promise<PublishOutcome[]> {
    const ts = Date.now();
    const records = events.map((event) => {
      const stamped: StampedEvent = { ...event, ts, src: this.identity.src, seq: this.identity.next() };
      const { key, value } = encodeEventRecord(stamped);
      return { key, value, partition: this.partitions.partitionOf(event.id) };
    });
    return publishTraced(this.config.topics.topic, records, (traced) => this.publisher.publish(traced));
  }
}
