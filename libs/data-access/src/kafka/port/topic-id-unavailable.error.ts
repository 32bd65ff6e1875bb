/** Kafka could not tell the topic's id (old broker, unknown topic, or an error): the caller must not guess. */
export class TopicIdUnavailableError extends Error {
  readonly code = 'TOPIC_ID_UNAVAILABLE';
  readonly retriable = true;
  constructor(readonly topic: string, reason: string) {
    super(`cannot read the topic id of ${topic}: ${reason}`);
    this.name = 'TopicIdUnavailableError';
  }
}
