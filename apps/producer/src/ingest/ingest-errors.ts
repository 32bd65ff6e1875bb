import { DomainError } from '@async2/domain';

/** Kafka did not acknowledge the event (unavailable, timed out): its outcome is unknown; retry with the same eventId. */
export class PublishUnavailableError extends DomainError {
  readonly code = 'kafka_unavailable';
  readonly retriable = true;
  constructor(message: string, readonly retryAfterSeconds = 1) {
    super(message);
    this.name = 'PublishUnavailableError';
  }
}

/** Too many events are waiting for Kafka: refused before publishing anything. Retry later. */
export class OverloadedError extends DomainError {
  readonly code = 'overloaded';
  readonly retriable = true;
  constructor(message: string, readonly retryAfterSeconds = 1) {
    super(message);
    this.name = 'OverloadedError';
  }
}
