import type { JsonObject, StampedEvent } from '../event-contract/change-event';
import { conditionHolds } from './condition-verdict';
import type { EntityRecord } from './entity-record';
import { expireRecord, expiryAfter, isExpired, recordAt } from './expiry';
import { reduceFields } from './field-reducers';
import { type FieldTimes, mergeAtTime, setAtTime } from './field-times';
import { isObject, mergePatch } from './merge-patch';

export type ApplyOutcome =
  | { kind: 'applied' }
  /** The eventId is among the record's recent eventIds: a client retry, applied before. */
  | { kind: 'duplicate' }
  /** The event is valid alone but cannot apply to this state; it goes to the DLQ with the reason. */
  | { kind: 'rejected'; reason: string }
  /** The event's condition (`if`) does not hold for this state: nothing changed (see condition-verdict.ts). */
  | { kind: 'unmet' };

/**
 * Applies one event to the record of its ID, in place, and says what happened.
 * - set: replaces the state; merge: RFC 7396 merge patch onto the state ({} when none);
 * - set or merge with an event time (`ts`): last writer wins per top-level field by event time
 *   (setAtTime, mergeAtTime); the fields' times stay with the record. Without `ts` they apply as
 *   above and leave the stored times alone;
 * - incr, max, min, append, addToSet, removeFromSet: per top-level field (reduceFields); an incr
 *   sum that is not a safe number rejects the event whole;
 * - delete: tombstones the ID and forgets its field times; any later op but delete revives it
 *   from an empty state.
 * - an ID whose expiry (ttlMs) is at or before the event's receive time is expired first (a
 *   tombstone, one version: expireRecord), so the event revives it from an empty state;
 * A conditional event (`condition`) whose condition does not hold for the record changes nothing
 * (`unmet`); the eventId check comes first, so a retry of an applied conditional event is a duplicate.
 * `dedupeWindow` is K, how many recent eventIds the record keeps.
 */
export function applyEvent(record: EntityRecord, event: StampedEvent, offset: number, dedupeWindow: number): ApplyOutcome {
  if (event.eventId !== undefined && record.recentEventIds.includes(event.eventId)) return { kind: 'duplicate' };
  if (event.condition !== undefined && !conditionHolds(recordAt(record, event.ts), event.condition)) return { kind: 'unmet' };
  const expired = isExpired(record, event.ts);

  const current: JsonObject | null = record.deleted || expired ? null : record.state;
  let next: JsonObject | null;
  let times: FieldTimes | undefined = expired ? undefined : record.fieldTimes;
  switch (event.op) {
    case 'set':
      if (event.eventTime !== undefined) ({ state: next, times } = setAtTime(current, event.data ?? {}, event.eventTime, times));
      else next = event.data ?? Object.create(null);
      break;
    case 'merge': {
      if (event.eventTime !== undefined) {
        ({ state: next, times } = mergeAtTime(current, event.data ?? {}, event.eventTime, times));
        break;
      }
      const merged = mergePatch(current ?? Object.create(null), event.data ?? {});
      next = isObject(merged) ? merged : Object.create(null);
      break;
    }
    case 'incr':
    case 'max':
    case 'min':
    case 'append':
    case 'addToSet':
    case 'removeFromSet': {
      // keepLast is set on every validated append; the fallback only keeps the type honest.
      const result = reduceFields(event.op, current, event.data ?? {}, event.keepLast ?? Number.MAX_SAFE_INTEGER);
      if (typeof result === 'string') return { kind: 'rejected', reason: result };
      next = result;
      break;
    }
    case 'delete':
      next = null;
      times = undefined;
      break;
  }

  if (expired) expireRecord(record);
  const expiresAt = expiryAfter(record.expiresAt, event);
  if (expiresAt === undefined) delete record.expiresAt;
  else record.expiresAt = expiresAt;
  record.state = next;
  record.deleted = event.op === 'delete';
  record.version += 1;
  record.lastOffset = offset;
  record.eventTs = event.ts;
  if (times === undefined) delete record.fieldTimes;
  else record.fieldTimes = times;
  if (event.eventId !== undefined) {
    record.recentEventIds.push(event.eventId);
    if (record.recentEventIds.length > dedupeWindow) record.recentEventIds.splice(0, record.recentEventIds.length - dedupeWindow);
  }
  return { kind: 'applied' };
}
