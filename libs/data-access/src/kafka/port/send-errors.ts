import { DomainError } from '@async2/domain';

/** A send that took longer than its bound: what Kafka stored of it is unknown; the producer is replaced. */
export class SendTimeoutError extends DomainError {
  readonly code = 'kafka_send_timeout';
  readonly retriable = true;
  constructor(readonly topic: string, readonly timeoutMs: number) {
    super(`send to ${topic} not answered within ${timeoutMs} ms; outcome unknown, the producer is replaced`);
    this.name = 'SendTimeoutError';
  }
}

/** The topic does not exist (topics are never created by a send). Nothing was sent. */
export class UnknownTopicError extends DomainError {
  readonly code = 'kafka_unknown_topic';
  readonly retriable = false;
  constructor(readonly topic: string) {
    super(`topic ${topic} does not exist`);
    this.name = 'UnknownTopicError';
  }
}

/** A record names a partition the topic does not have. Nothing of the send was sent. */
export class UnknownPartitionError extends DomainError {
  readonly code = 'kafka_unknown_partition';
  readonly retriable = false;
  constructor(readonly topic: string, readonly partitions: number[], readonly partitionCount: number) {
    super(`topic ${topic} has ${partitionCount} partitions (0-${partitionCount - 1}); no partition ${partitions.join(', ')}: nothing was sent`);
    this.name = 'UnknownPartitionError';
  }
}
