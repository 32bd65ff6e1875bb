import type { OplogProgress } from '@async2/data-access';
import type { ConsumerLanes, LaneState } from './consumer-lanes';

/**
 * What OPLOG and Kafka together say of a partition (the consumers' own view comes from their
 * /metrics, in `lanes`):
 *  - ok: OPLOG's position is within what Kafka holds;
 *  - unclaimed: no OPLOG row yet (no consumer ever claimed it; the first starts at offset 0);
 *  - gap: OPLOG's next offset is below the log start: records were removed before they were
 *    applied, and the owner stops there (docs/operations.md, "A gap in a partition's offsets");
 *  - beyond-end / topic-changed: OPLOG counts offsets of another topic or of lost records, and
 *    every claim is refused (docs/operations.md, "OPLOG does not match the topic").
 */
export type PartitionState = 'ok' | 'unclaimed' | 'gap' | 'beyond-end' | 'topic-changed';

export interface PartitionStatus {
  partition: number;
  owner: string | null;
  epoch: number | null;
  /** OPLOG.next_offset: everything below it is committed to EVENTS. */
  committedOffset: number | null;
  logStartOffset: number;
  endOffset: number;
  /** End offset minus committed offset (records in Kafka not yet in EVENTS); null when OPLOG counts another topic. */
  lag: number | null;
  /** When OPLOG's row last changed (a claim or a committed flush). */
  lastChange: Date | null;
  state: PartitionState;
  /** Each consumer read that has a lane for this partition, and what that lane does. */
  lanes: Array<{ consumer: string; lane: LaneState }>;
  /** The IDs parked in this partition (docs/parking.md), by refused offset. */
  parked: string[];
}

export interface StatusFacts {
  topic: string;
  topicId: string;
  consumerGroup: string;
  partitionCount: number;
  startOffsets: ReadonlyMap<number, number>;
  endOffsets: ReadonlyMap<number, number>;
  oplog: readonly OplogProgress[];
  consumers: readonly ConsumerLanes[];
  /** Parked IDs by partition (none: absent). */
  parked?: ReadonlyMap<number, readonly string[]>;
}

/** One status per partition of the topic, in partition order. */
export function partitionStatuses(facts: StatusFacts): PartitionStatus[] {
  const rows = new Map(facts.oplog.map((r) => [r.partition, r]));
  return Array.from({ length: facts.partitionCount }, (_, partition) => {
    const row = rows.get(partition);
    const logStartOffset = facts.startOffsets.get(partition) ?? 0;
    const endOffset = facts.endOffsets.get(partition) ?? 0;
    const state = stateOf(row, facts.topicId, logStartOffset, endOffset);
    const committed = row?.nextOffset ?? 0;
    return {
      partition,
      owner: row?.owner ?? null,
      epoch: row?.epoch ?? null,
      committedOffset: row?.nextOffset ?? null,
      logStartOffset,
      endOffset,
      lag: state === 'topic-changed' || state === 'beyond-end' ? null : endOffset - committed,
      lastChange: row?.updatedAt ?? null,
      state,
      lanes: facts.consumers.flatMap((c) => {
        const lane = c.lanes.get(partition);
        return lane ? [{ consumer: c.url, lane }] : [];
      }),
      parked: [...(facts.parked?.get(partition) ?? [])],
    };
  });
}

function stateOf(row: OplogProgress | undefined, topicId: string, logStart: number, end: number): PartitionState {
  if (!row) return 'unclaimed';
  if (row.topicId !== null && row.topicId !== topicId) return 'topic-changed';
  if (row.nextOffset > end) return 'beyond-end';
  if (row.nextOffset < logStart) return 'gap';
  return 'ok';
}
