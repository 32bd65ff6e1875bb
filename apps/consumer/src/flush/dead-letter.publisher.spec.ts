import type { KafkaRecord, RecordSender } from '@async2/data-access';
import { partitionForKey } from '@async2/domain';
import { DeadLetterPublisher, deadLetterPartition } from './dead-letter.publisher';

/** Records what each send was asked to carry. */
function recordingSender(): RecordSender & { sends: Array<{ topic: string; records: readonly KafkaRecord[] }> } {
  const sends: Array<{ topic: string; records: readonly KafkaRecord[] }> = [];
  return {
    sends,
    send: async (topic, records) => {
      sends.push({ topic, records });
      return records.map((_, i) => i);
    },
    close: async () => undefined,
  };
}

describe('deadLetterPartition', () => {
  it("puts a keyed letter where Kafka's default partitioner puts its key bytes", () => {
    const key = Buffer.from('entity-42');
    expect(deadLetterPartition({ key, partition: 5 }, 7)).toBe(partitionForKey('entity-42', 7));
  });

  it('puts a keyless letter by its source partition, within the DLQ topic', () => {
    expect(deadLetterPartition({ key: null, partition: 1 }, 4)).toBe(1);
    expect(deadLetterPartition({ key: null, partition: 6 }, 4)).toBe(2);
  });
});

describe('DeadLetterPublisher', () => {
  it('sends every letter in one send, each with its partition, bytes and source headers', async () => {
    const sender = recordingSender();
    const publisher = new DeadLetterPublisher(sender, 'events.dlq', 'events', 3);
    const value = Buffer.from([0xff, 0x00]);
    await publisher.publish([
      { key: Buffer.from('a'), value, reason: 'not JSON', partition: 2, offset: 17 },
      { key: null, value: null, reason: 'no key', partition: 2, offset: 18 },
    ]);
    expect(sender.sends).toEqual([
      {
        topic: 'events.dlq',
        records: [
          { partition: partitionForKey('a', 3), key: Buffer.from('a'), value, headers: { 'x-dlq-reason': 'not JSON', 'x-source-topic': 'events', 'x-source-partition': '2', 'x-source-offset': '17' } },
          { partition: 2, key: null, value: null, headers: { 'x-dlq-reason': 'no key', 'x-source-topic': 'events', 'x-source-partition': '2', 'x-source-offset': '18' } },
        ],
      },
    ]);
  });

  it('sends nothing for no letters', async () => {
    const sender = recordingSender();
    await new DeadLetterPublisher(sender, 'events.dlq', 'events', 3).publish([]);
    expect(sender.sends).toEqual([]);
  });
});
