import { DomainError } from '@async2/domain';

/** What a produce answer says about one partition (kafkajs's RecordMetadata has this shape). */
export interface PartitionAnswer {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset?: string;
}

/**
 * A produce answer that does not cover exactly the partitions sent, once each, with a usable offset.
 * The send counts as failed: what Kafka stored of it is unknown, so the sender takes a new producer
 * id and the callers are told "unavailable" (they may retry with the same eventId).
 */
export class ProduceAnswerMismatchError extends DomainError {
  readonly code = 'produce_answer_mismatch';
  readonly retriable = true;
  constructor(readonly topic: string, readonly problems: string[]) {
    super(`Kafka's answer for ${topic} does not match the request: ${problems.join('; ')}`);
    this.name = 'ProduceAnswerMismatchError';
  }
}

/**
 * The one rule for every produce answer: it names each partition sent exactly once, nothing else,
 * no error code, and a safe-integer base offset. Returns the base offset of each partition.
 *
 * Why: kafkajs sends one request per leader broker and, after a leader change, retries with the
 * per-broker answers it kept (tulios/kafkajs#1798): `send()` can resolve without a partition (it
 * was never stored), or with one twice. Trusting such an answer acknowledges records that are lost
 * and keeps a producer id whose next sequence the broker may take for a duplicate.
 */
export function verifiedBaseOffsets(topic: string, sentPartitions: Iterable<number>, answer: readonly PartitionAnswer[]): Map<number, number> {
  const sent = new Set(sentPartitions);
  const offsets = new Map<number, number>();
  const problems: string[] = [];
  for (const entry of answer) {
    const where = `partition ${entry.partition}`;
    if (entry.topicName !== topic) problems.push(`${where} of another topic (${entry.topicName})`);
    else if (!sent.has(entry.partition)) problems.push(`${where} was not sent`);
    else if (offsets.has(entry.partition)) problems.push(`${where} answered twice`);
    else if (entry.errorCode !== 0) problems.push(`${where} has error code ${entry.errorCode}`);
    else {
      const base = Number(entry.baseOffset);
      if (entry.baseOffset === undefined || !Number.isSafeInteger(base) || base < 0) problems.push(`${where} has no usable offset (${entry.baseOffset})`);
      else offsets.set(entry.partition, base);
    }
  }
  const missing = [...sent].filter((p) => !offsets.has(p) && !answer.some((a) => a.partition === p && a.topicName === topic));
  if (missing.length > 0) problems.push(`no answer for partition${missing.length > 1 ? 's' : ''} ${missing.sort((a, b) => a - b).join(', ')}`);
  if (problems.length > 0) throw new ProduceAnswerMismatchError(topic, problems);
  return offsets;
}

/**
 * The offset of each record sent, in order, from a verified answer: a partition's records were
 * stored at baseOffset, baseOffset + 1, ... in the order sent. Throws as verifiedBaseOffsets does.
 */
export function recordOffsets(topic: string, recordPartitions: readonly number[], answer: readonly PartitionAnswer[]): number[] {
  const base = verifiedBaseOffsets(topic, recordPartitions, answer);
  const next = new Map<number, number>();
  return recordPartitions.map((partition) => {
    const offset = next.get(partition) ?? (base.get(partition) as number);
    next.set(partition, offset + 1);
    return offset;
  });
}
