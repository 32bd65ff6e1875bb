import { UnknownPartitionError } from './send-errors';

/**
 * Refuses a send before anything goes out when a record names a partition the topic does not
 * have. Why here and not left to the client: @platformatic/kafka takes `partition % count`
 * silently (the record would land in another partition), and kafkajs retries a missing leader
 * for its whole retry budget before failing.
 */
export function checkPartitions(topic: string, partitions: Iterable<number>, partitionCount: number): void {
  const bad = new Set<number>();
  for (const p of partitions) if (!Number.isInteger(p) || p < 0 || p >= partitionCount) bad.add(p);
  if (bad.size > 0) throw new UnknownPartitionError(topic, [...bad].sort((a, b) => a - b), partitionCount);
}
