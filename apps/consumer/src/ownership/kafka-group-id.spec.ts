import { kafkaGroupId } from './kafka-group-id';

describe('kafkaGroupId', () => {
  it('is one group per ownership: pod 3 alone, a list, or all partitions', () => {
    expect(kafkaGroupId('async2-consumer', { kind: 'list', partitions: [3] })).toBe('async2-consumer.p3');
    expect(kafkaGroupId('async2-consumer', { kind: 'list', partitions: [0, 1] })).toBe('async2-consumer.p0-1');
    expect(kafkaGroupId('async2-consumer', { kind: 'all' })).toBe('async2-consumer.all');
  });

  it('two instances claiming the same partitions share a group (the epoch fences one of them)', () => {
    expect(kafkaGroupId('g', { kind: 'list', partitions: [2] })).toBe(kafkaGroupId('g', { kind: 'list', partitions: [2] }));
  });
});
