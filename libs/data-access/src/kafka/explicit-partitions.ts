import { murmur2, toPositive } from '@async2/domain';
import type { Message } from 'kafkajs';

/**
 * Gives every message its partition before it is sent, as Kafka's default partitioner would for a
 * keyed record (`toPositive(murmur2(key)) % P`) and round robin for one without a key. A produce
 * answer can only be checked against the partitions we know we sent (see verifiedBaseOffsets).
 */
export function withExplicitPartitions(messages: readonly Message[], partitionCount: number, nextUnkeyed: () => number): Array<Message & { partition: number }> {
  return messages.map((message) => {
    if (message.partition !== undefined) return message as Message & { partition: number };
    const key = message.key;
    if (key === null || key === undefined) return { ...message, partition: nextUnkeyed() % partitionCount };
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    return { ...message, partition: toPositive(murmur2(bytes)) % partitionCount };
  });
}
