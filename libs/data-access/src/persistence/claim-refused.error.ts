/** Why OPLOG's progress cannot be resumed on the topic Kafka has now. */
export type ClaimRefusalCause = 'topic-changed' | 'offset-beyond-end';

/**
 * The claim failed closed: resuming at OPLOG.next_offset would treat records as applied that
 * never were (a recreated topic, or a broker whose data was lost). Nothing in OPLOG changed.
 * Not retriable: only an operator decision (docs/operations.md, "OPLOG does not match the topic")
 * can move on.
 */
export class ClaimRefusedError extends Error {
  readonly code = 'CLAIM_REFUSED';
  readonly retriable = false;

  constructor(
    readonly reason: ClaimRefusalCause,
    readonly key: { consumerGroup: string; topic: string },
    readonly partition: number,
    readonly facts: { oplogTopicId: string | null; topicId: string; nextOffset: number; endOffset: number },
  ) {
    super(`${describe(reason, key.topic, partition, facts)}. Refusing to resume: that would treat records as applied that never were. Ways out (see docs/operations.md, "OPLOG does not match the topic"): point DATABASE_URL at a fresh database; or, to keep EVENTS and fold the new topic on top of it, delete this group's OPLOG rows for the topic (DELETE FROM oplog WHERE consumer_group = '${key.consumerGroup}' AND topic = '${key.topic}'); or restore the topic the database was built from`);
    this.name = 'ClaimRefusedError';
  }
}

function describe(reason: ClaimRefusalCause, topic: string, partition: number, f: ClaimRefusedError['facts']): string {
  if (reason === 'topic-changed') {
    return `partition ${partition}: OPLOG was folded from another topic named ${topic} (topic id ${f.oplogTopicId}); Kafka's ${topic} now has id ${f.topicId}: it was deleted and created again, or the broker's data was replaced`;
  }
  return `partition ${partition}: OPLOG next_offset ${f.nextOffset} is beyond the end of ${topic}-${partition} (end offset ${f.endOffset}, topic id ${f.topicId}): the broker lost records, or the topic was recreated`;
}
