import type { PartitionSelection } from '../config/consumer.config';

/** Resolves the configured selection against the topic's real partition count. */
export function ownedPartitions(selection: PartitionSelection, partitionCount: number): number[] {
  if (selection.kind === 'all') return Array.from({ length: partitionCount }, (_, i) => i);
  const outside = selection.partitions.filter((p) => p >= partitionCount);
  if (outside.length > 0) {
    throw new Error(`PARTITIONS names ${outside.join(', ')}, but the topic has only ${partitionCount} partitions (0..${partitionCount - 1})`);
  }
  return selection.partitions;
}
