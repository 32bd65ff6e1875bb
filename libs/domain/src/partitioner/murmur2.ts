/**
 * Kafka's murmur2, as in the Java client's `org.apache.kafka.common.utils.Utils.murmur2(byte[])`
 * (seed 0x9747b28c, m 0x5bd1e995, r 24). Returns the signed 32-bit result Java returns.
 * `Math.imul` keeps the 32-bit multiply exact where a plain `*` would lose bits past 2^53.
 * `length`: hash only the first `length` bytes (a reused scratch buffer).
 */
export function murmur2(data: Uint8Array, length = data.length): number {
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;

  let h = seed ^ length;
  const length4 = length >> 2;

  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = (data[i4] & 0xff) | ((data[i4 + 1] & 0xff) << 8) | ((data[i4 + 2] & 0xff) << 16) | ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }

  // Java's switch on (length % 4) falls through: the remaining 1-3 bytes are mixed from the highest down.
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h = Math.imul(h, m);
  }

  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
