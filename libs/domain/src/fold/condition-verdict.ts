import type { EventCondition } from '../event-contract/change-event';
import type { ApplyOutcome } from './apply-event';
import type { EntityRecord } from './entity-record';

/**
 * What the fold decided for a conditional event, committed with the flush that moves OPLOG past
 * its offset, so it is decided once (a replay folds from the same committed state and decides the
 * same) and never flips:
 * - `applied`: the condition held and the event applied (the ID's version is now `seenVersion` + 1);
 *   `duplicate`: its eventId was applied to the ID before, so this copy changed nothing (the write is in);
 * - `rejected`: `reason` `condition`, the condition did not hold, or `discarded`, the fold refused
 *   the op (its ID parked, docs/parking.md) and an operator discarded it; either way nothing changed.
 *   A conditional event parked with its ID has no verdict until an operator replays it (decided
 *   then, as it applies) or discards it: deciding at the refusal could flip at the replay.
 * `seenVersion` is the ID's version the fold saw (0: never written).
 */
export interface ConditionVerdict {
  outcome: 'applied' | 'rejected';
  seenVersion: number;
  reason?: 'condition' | 'discarded';
  duplicate?: boolean;
}

/**
 * A verdict as a flush writes it, at the event's Kafka offset. `copy`: the record is a second copy
 * of one applied before (same producer identity `src`/`seq`, see ProducerSequences): it has no
 * verdict of its own, it answers with its first copy's (the read looks that one up).
 */
export interface VerdictEntry {
  offset: number;
  /** Producer receive time (ms): what the retention counts from. */
  ts: number;
  src: string;
  seq?: number;
  verdict: ConditionVerdict | 'copy';
}

/**
 * Whether the ID's record meets the condition. `absent`: no live state (never written, or a
 * tombstone); `present`: live state; `version`: the count of events applied to the ID, deletes
 * included (a tombstone keeps its version).
 */
export function conditionHolds(record: EntityRecord, condition: EventCondition): boolean {
  const live = !record.deleted && record.state !== null;
  if ('version' in condition) return record.version === condition.version;
  if ('absent' in condition) return !live;
  return live;
}

/** The verdict of a conditional event from what applying it did (applyEvent) and the version it saw before. */
export function verdictOf(kind: Exclude<ApplyOutcome['kind'], 'rejected'>, seenVersion: number): ConditionVerdict {
  switch (kind) {
    case 'applied':
      return { outcome: 'applied', seenVersion };
    case 'duplicate':
      return { outcome: 'applied', seenVersion, duplicate: true };
    case 'unmet':
      return { outcome: 'rejected', seenVersion, reason: 'condition' };
  }
}
