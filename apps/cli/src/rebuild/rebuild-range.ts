import { UsageError } from '../command-line/exit-codes';

export interface RebuildRangeFacts {
  topic: string;
  partition: number;
  partitionCount: number;
  fromOffset: number;
  /** The first offset Kafka still holds of the partition. */
  logStart: number;
  endOffset: number;
}

/**
 * Whether a rebuild of `partition` from `fromOffset` can run, checked against Kafka before anything
 * changes: the partition exists, and the topic still holds every record from the offset on (a rebuild
 * from an offset below the log start would silently miss the events retention removed).
 */
export function checkRebuildRange(facts: RebuildRangeFacts): { fromOffset: number; endOffset: number } {
  const { topic, partition, partitionCount, fromOffset, logStart, endOffset } = facts;
  if (partition >= partitionCount) {
    throw new UsageError(`--partition ${partition}: topic ${topic} has no partition ${partition}: it has ${partitionCount} (0-${partitionCount - 1})`, 'partition');
  }
  if (fromOffset < logStart) {
    throw new UsageError(
      `--from-offset ${fromOffset}: ${topic}-${partition} no longer holds that offset: its first offset is ${logStart} (retention or deleteRecords removed the records before it). ` +
        `Nothing was changed. To rebuild from what is left, pass --from-offset ${logStart} (rows whose last event is below it keep their state; see docs/operations.md)`,
      'from-offset',
    );
  }
  if (fromOffset > endOffset) {
    throw new UsageError(`--from-offset ${fromOffset}: beyond the end of ${topic}-${partition} (end offset ${endOffset}); nothing was changed`, 'from-offset');
  }
  return { fromOffset, endOffset };
}
