import { murmur2 } from './murmur2';

const utf8 = new TextEncoder();
/** Big enough for any string of up to a third of its length in UTF-16 units (3 bytes per unit at most). */
let scratch = new Uint8Array(1024);

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
  if (typeof key !== 'string') return toPositive(murmur2(key)) % partitionCount;
  // Encoded into one reused buffer: TextEncoder.encode allocates per call, which was the larger part
  // of partitioning a short ID in the producer's and the consumer's profiles.
  if (key.length * 3 > scratch.length) scratch = new Uint8Array(key.length * 3);
  const { written } = utf8.encodeInto(key, scratch);
  return toPositive(murmur2(scratch, written)) % partitionCount;
}
