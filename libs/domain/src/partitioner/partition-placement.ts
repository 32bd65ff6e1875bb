import { partitionForKey } from './partition-for-key';

/**
 * Why a record read from `partition` does not belong there, or undefined when it does. Every ID
 * lives on exactly one partition (`partitionForKey(id, P)`), whose lane is the only writer of its
 * row; a record elsewhere (a foreign writer with another partitioner, or a producer that still had
 * an older partition count) would let two lanes overwrite each other's absolute state.
 * `partitionCount` is P as the consumer read it from the topic's metadata when it claimed.
 * `idUtf8`, when the caller has them, are the id's UTF-8 bytes (a record's key that
 * decodeEventRecord found equal to the id): hashed as they are instead of encoding the id again.
 */
export function misplacedRecord(id: string, partition: number, partitionCount: number, idUtf8?: Uint8Array): string | undefined {
  const expected = partitionForKey(idUtf8 ?? id, partitionCount);
  if (expected === partition) return undefined;
  return `record for id ${JSON.stringify(id)} was read from partition ${partition}, but murmur2 puts that id on partition ${expected} of ${partitionCount}`;
}
