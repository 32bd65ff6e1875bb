import { ClaimRefusedError, ConfigError, UnknownTopicError } from '@async2/data-access';
import { FencedDuringRebuildError } from '../rebuild/rebuild-errors';
import { exitCodeOf } from './exit-code-of';
import { UsageError } from './exit-codes';

describe('exitCodeOf', () => {
  it('2 for bad input: usage, configuration, a topic that does not exist', () => {
    expect(exitCodeOf(new UsageError('unknown flag --x', 'x'))).toBe(2);
    expect(exitCodeOf(new ConfigError(['KAFKA_TOPIC="a b": must be a legal Kafka topic name']))).toBe(2);
    expect(exitCodeOf(new UnknownTopicError('events'))).toBe(2);
  });

  it('3 when another instance fenced the rebuild', () => {
    expect(exitCodeOf(new FencedDuringRebuildError(2, 5, { owner: 'consumer-2', epoch: 6 }))).toBe(3);
  });

  it('1 for anything else: unreachable services, a refused claim', () => {
    expect(exitCodeOf(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(1);
    expect(exitCodeOf(new ClaimRefusedError('offset-beyond-end', { consumerGroup: 'g', topic: 't' }, 0, { oplogTopicId: null, topicId: 'x', nextOffset: 9, endOffset: 1 }))).toBe(1);
  });
});
