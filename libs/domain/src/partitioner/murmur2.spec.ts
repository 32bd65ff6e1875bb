import fc from 'fast-check';
import { murmur2 } from './murmur2';

// Test oracle only: kafkajs's port of the same Java function. The domain code never imports kafkajs;
// this spec reaches its untyped internal file with require, hence the explicit type.
const kafkajsMurmur2: (key: Buffer) => number = require('kafkajs/src/producer/partitioners/default/murmur2');

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

  it('depends on every byte: changing one byte changes the hash', () => {
    const base = utf8('a-little-bit-longer-string');
    for (let i = 0; i < base.length; i++) {
      const changed = Uint8Array.from(base);
      changed[i] ^= 0x80;
      expect(murmur2(changed)).not.toBe(murmur2(base));
    }
  });
});
