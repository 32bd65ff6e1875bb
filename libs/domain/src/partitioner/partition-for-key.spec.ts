// Agreement with kafkajs for random keys: libs/data-access/src/kafka/kafkajs/kafkajs-partitioner-agreement.spec.ts.
import { murmur2 } from './murmur2';
import { partitionForKey, toPositive } from './partition-for-key';

const PARTITION_COUNTS = [1, 3, 4, 12, 100];

// Known answers: the murmur2 values are Apache Kafka's own, from
// clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java (testMurmur2).
// The positive column is Java's Utils.toPositive (clear the sign bit) of that value: hash + 2^31 when negative.
const JAVA_VECTORS: Array<[key: string, javaMurmur2: number, positive: number]> = [
  ['21', -973932308, 1173551340],
  ['foobar', -790332482, 1357151166],
  ['a-little-bit-long-string', -985981536, 1161502112],
  ['a-little-bit-longer-string', -1486304829, 661178819],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971, 2088585677],
  ['abc', 479470107, 479470107],
];

describe('toPositive', () => {
  it.each(JAVA_VECTORS)('maps murmur2(%j) = %i to %i, as Java Utils.toPositive', (_key, hash, positive) => {
    expect(toPositive(hash)).toBe(positive);
  });

  it.each([
    [0, 0],
    [2147483647, 2147483647],
    [-1, 2147483647],
    [-2147483648, 0],
  ])('clears only the sign bit: toPositive(%i) is %i', (n, expected) => {
    expect(toPositive(n)).toBe(expected);
  });

  // The documented pitfall: `>>> 0` reinterprets a negative hash as unsigned (hash + 2^32), not hash + 2^31.
  it('is not the unsigned reinterpretation (>>> 0) of a negative hash', () => {
    for (const [, hash] of JAVA_VECTORS.filter(([, h]) => h < 0)) {
      expect(toPositive(hash)).not.toBe(hash >>> 0);
      expect((hash >>> 0) - toPositive(hash)).toBe(2 ** 31);
    }
  });
});

describe('partitionForKey', () => {
  it.each(JAVA_VECTORS)('places %j where the Java client does, for every partition count', (key, _hash, positive) => {
    for (const n of PARTITION_COUNTS) expect(partitionForKey(key, n)).toBe(positive % n);
  });

  it('sends key "21" to partition 0 of 3, where the `>>> 0` variant would send it to 2', () => {
    const hash = murmur2(new TextEncoder().encode('21'));
    expect(partitionForKey('21', 3)).toBe(0);
    expect((hash >>> 0) % 3).toBe(2);
  });

  it.each(JAVA_VECTORS)('places the UTF-8 bytes of %j where the string goes (a dead letter keeps its key as bytes)', (key, _hash, positive) => {
    for (const n of PARTITION_COUNTS) expect(partitionForKey(new TextEncoder().encode(key), n)).toBe(positive % n);
  });

  it('hashes bytes that are not UTF-8 as they are', () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0x80]);
    expect(partitionForKey(bytes, 100)).toBe(toPositive(murmur2(bytes)) % 100);
    // the same bytes read as a string would have become U+FFFD replacement characters: another partition
    expect(partitionForKey(bytes, 100)).not.toBe(partitionForKey(Buffer.from(bytes).toString('utf8'), 100));
  });

  // Strings are encoded into a reused buffer that grows: long ones, multi-byte ones and a short one after them.
  it.each([
    ['a long key', 'k'.repeat(5000)],
    ['multi-byte characters', 'é€😀'.repeat(400)],
    ['a short key after long ones', 'user-1'],
    ['a lone surrogate (encoded as U+FFFD, as TextEncoder does)', 'x\ud800y'],
  ])('places %s where its UTF-8 bytes go', (_what, key) => {
    for (const n of PARTITION_COUNTS) expect(partitionForKey(key, n)).toBe(toPositive(murmur2(new TextEncoder().encode(key))) % n);
  });

  it.each([0, -1, 1.5, NaN, Infinity])('throws RangeError for partition count %p', (n) => {
    expect(() => partitionForKey('k', n)).toThrow(RangeError);
  });
});
