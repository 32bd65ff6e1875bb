import { checkPartitions } from './partition-check';
import { UnknownPartitionError } from './send-errors';

describe('checkPartitions', () => {
  it('accepts partitions 0 to count - 1', () => {
    expect(() => checkPartitions('t', [0, 3, 1, 3], 4)).not.toThrow();
  });

  it.each([[[0, 4]], [[-1]], [[1.5]], [[7, 0, 4]]])('refuses %j on a topic of 4 partitions, naming them', (partitions) => {
    const bad = partitions.filter((p) => p !== 0);
    expect(() => checkPartitions('t', partitions, 4)).toThrow(UnknownPartitionError);
    expect(() => checkPartitions('t', partitions, 4)).toThrow(`no partition ${[...new Set(bad)].sort((a, b) => a - b).join(', ')}`);
  });
});
