import { murmur2, partitionForKey } from '@async2/domain';
import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';

// The domain's partitioner must agree with the kafkajs producers in the fleet. kafkajs is the test
// oracle, so this check lives beside the Kafka adapter: the domain library never imports kafkajs.
// (The Java client's own known answers are in libs/domain/src/partitioner/*.spec.ts.)

// kafkajs's port of Java's murmur2; an untyped internal file, hence require and the explicit type.
const kafkajsMurmur2: (key: Buffer) => number = require('kafkajs/src/producer/partitioners/default/murmur2');

const PARTITION_COUNTS = [1, 3, 4, 12, 100];

function kafkajsPartition(key: string, partitionCount: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({ topic: 'entities', partitionMetadata, message: { key, value: null } });
}

// Code units 0000-FFFF one by one, so lone surrogates occur (fc's 'binary' unit never yields them).
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

describe('murmur2', () => {
  it('agrees with kafkajs for random bytes of every tail length (0-3 leftover bytes, high bytes >= 0x80)', () => {
    const tails = new Set<number>();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        tails.add(bytes.length % 4);
        expect(murmur2(bytes)).toBe(kafkajsMurmur2(Buffer.from(bytes)));
      }),
      { numRuns: 3000 },
    );
    expect([...tails].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('partitionForKey', () => {
  it.each([
    ['fc.string() (printable ASCII)', fc.string({ maxLength: 40 })],
    ["unit 'grapheme' (any printable Unicode)", fc.string({ unit: 'grapheme', maxLength: 20 })],
    ["unit 'binary' (any code point)", fc.string({ unit: 'binary', maxLength: 20 })],
    ['any UTF-16 code units, lone surrogates included', fc.string({ unit: anyCodeUnit, maxLength: 20 })],
  ])('agrees with kafkajs DefaultPartitioner for random keys: %s', (_name, keys) => {
    fc.assert(
      fc.property(keys, (key) => {
        for (const n of PARTITION_COUNTS) expect(partitionForKey(key, n)).toBe(kafkajsPartition(key, n));
      }),
      { numRuns: 2000 },
    );
  });
});
