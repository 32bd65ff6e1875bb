import { type KafkaPort, type ReadStep, decodeParkedControl, isControlRecord, readPartition } from '@async2/data-access';
import { misplacedRecord } from '@async2/domain';
import { inexactRelease } from './parked-from-offset';

/**
 * Before a rebuild from `fromOffset` > 0 claims anything: reads the partition's records from
 * `fromOffset` up to OPLOG's next_offset and answers why the parked store cannot give the parked
 * state at `fromOffset` (the first control record that may have released a parking older than it,
 * see inexactRelease), or undefined. Only control records count: one read of that range, no fold.
 * The fold checks again the records the consumer commits between this scan and the claim.
 */
export async function findInexactRelease(
  port: KafkaPort,
  where: { topic: string; partition: number; partitionCount: number; endOffset: number },
  fromOffset: number,
  storedNextOffset: number,
): Promise<string | undefined> {
  const { topic, partition, partitionCount } = where;
  // Not past the end Kafka reported: an OPLOG ahead of the topic would leave nothing to read (the claim refuses it).
  const scanEnd = Math.min(storedNextOffset, where.endOffset);
  if (fromOffset === 0 || fromOffset >= scanEnd) return undefined;
  let found: string | undefined;
  await readPartition(port, topic, partition, fromOffset, async (records): Promise<ReadStep> => {
    for (const { offset, key, value, headers } of records) {
      if (offset >= scanEnd) return 'done';
      if (!headers || !isControlRecord(headers)) continue;
      const control = decodeParkedControl(headers, key, value);
      // The consumer skipped an undecodable or misplaced control record: it released nothing.
      if (!control.ok || misplacedRecord(control.control.id, partition, partitionCount)) continue;
      found = inexactRelease({ id: control.control.id, offset, refusedOffset: control.control.refusedOffset }, fromOffset, storedNextOffset);
      if (found) return 'done';
    }
    return records.length > 0 && records[records.length - 1].offset >= scanEnd - 1 ? 'done' : 'more';
  });
  return found;
}
