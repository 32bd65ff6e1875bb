import { murmur2 } from './murmur2';

// Agreement with kafkajs for random inputs: libs/data-access/src/kafka/kafkajs/kafkajs-partitioner-agreement.spec.ts.

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('murmur2', () => {
  // Known answers: Apache Kafka, clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java,
  // testMurmur2 — the whole table (six cases; the last one is written there as new byte[] {'a', 'b', 'c'}).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j to %i, as the Java client does', (input, expected) => {
    expect(murmur2(utf8(input))).toBe(expected);
  });

  it('depends on every byte: changing one byte changes the hash', () => {
    const base = utf8('a-little-bit-longer-string');
    for (let i = 0; i < base.length; i++) {
      const changed = Uint8Array.from(base);
      changed[i] ^= 0x80;
      expect(murmur2(changed)).not.toBe(murmur2(base));
    }
  });
});
