import { murmur2 } from './murmur2';

const utf8 = new TextEncoder();

/**
 * Java's `Utils.toPositive`: clears the sign bit. Not `>>> 0` (an unsigned reinterpretation, as
 * @platformatic/kafka's default partitioner does), which sends about half the keys elsewhere.
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/**
 * The partition Kafka's default partitioner (Java `BuiltInPartitioner.partitionForKey`) picks for a
 * keyed record: `toPositive(murmur2(keyBytes)) % partitionCount`, a string key as its UTF-8 bytes.
 * Java, Go (Sarama/kafka-go with the murmur2 balancer), librdkafka with `murmur2_random` and
 * kafkajs's DefaultPartitioner agree. Every record we send gets its partition here: events by id,
 * change records by id, dead letters by their original key bytes.
 */
export function partitionForKey(key: string | Uint8Array, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partitionCount must be a positive integer, got ${partitionCount}`);
  }
  return toPositive(murmur2(typeof key === 'string' ? utf8.encode(key) : key)) % partitionCount;
}
