import { ValidationError } from '@async2/domain';
import { loadProducerConfig } from '../config/producer.config';
import type { OutgoingRecord, PublishOutcome } from './coalescing-publisher';
import { OverloadedError } from './ingest-errors';
import type { KafkaPublisher } from './kafka-publisher.service';
import type { PartitionMap } from './partition-map.service';
import { PublishService } from './publish.service';

/** A publisher that accepts every call (offsets counted from 0) or refuses it as overloaded. */
function fakePublisher(overloaded = false) {
  const calls: OutgoingRecord[][] = [];
  const publish = async (records: OutgoingRecord[]): Promise<PublishOutcome[]> => {
    if (overloaded) throw new OverloadedError('100 events are waiting for Kafka; try again shortly');
    calls.push(records);
    return records.map((record, offset) => ({ ok: true, partition: record.partition, offset }));
  };
  return { calls, publisher: { publish } as unknown as KafkaPublisher };
}

const partitions = { partitionOf: () => 1 } as unknown as PartitionMap;
const ids = (records: OutgoingRecord[]) => records.map((r) => String(r.key));

describe('PublishService.publishEach (a PublishStream batch)', () => {
  const config = loadProducerConfig({});

  it('answers an invalid input with its violation and publishes the valid ones together, in order, in one call', async () => {
    const { calls, publisher } = fakePublisher();
    const inputs = [{ id: 'a', op: 'set', data: {} }, { id: 'b', op: 'nope' }, { id: 'c', op: 'delete' }, 'not json'];
    const answers = await new PublishService(config, partitions, publisher).publishEach(inputs, (input) => {
      if (typeof input === 'string') throw new ValidationError([{ field: '/data', rule: 'json-syntax', message: 'data is not valid JSON' }]);
      return input;
    });
    expect(calls.map(ids)).toEqual([['a', 'c']]);
    expect(answers[0]).toEqual({ ok: true, partition: 1, offset: 0 });
    expect(answers[1]).toMatchObject({ ok: false, error: { violations: [{ field: '/op', rule: 'enum' }] } });
    expect(answers[2]).toEqual({ ok: true, partition: 1, offset: 1 });
    expect(answers[3]).toMatchObject({ ok: false, error: { violations: [{ field: '/data', rule: 'json-syntax' }] } });
  });

  it('a full queue refuses every valid input of the batch as overloaded; invalid ones stay invalid', async () => {
    const { calls, publisher } = fakePublisher(true);
    const answers = await new PublishService(config, partitions, publisher).publishEach([{ id: 'a', op: 'delete' }, { id: '' }], (input) => input);
    expect(calls).toEqual([]);
    expect(answers[0]).toMatchObject({ ok: false, error: { code: 'overloaded' } });
    expect((answers[0] as { error: unknown }).error).toBeInstanceOf(OverloadedError);
    expect((answers[1] as { error: unknown }).error).toBeInstanceOf(ValidationError);
  });

  it('publishes nothing when every input is invalid', async () => {
    const { calls, publisher } = fakePublisher();
    const answers = await new PublishService(config, partitions, publisher).publishEach([{ op: 'set' }], (input) => input);
    expect(calls).toEqual([]);
    expect(answers).toHaveLength(1);
    expect(answers[0].ok).toBe(false);
  });
});
