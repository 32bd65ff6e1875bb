import type { JsonObject, StampedEvent } from '../event-contract/change-event';
import type { EntityRecord } from './entity-record';
import { isObject, mergePatch } from './merge-patch';

export type ApplyOutcome =
  | { kind: 'applied' }
  /** The eventId is among the record's recent eventIds: a client retry, applied before. */
  | { kind: 'duplicate' }
  /** The event is valid alone but cannot apply to this state; it goes to the DLQ with the reason. */
  | { kind: 'rejected'; reason: string };

/**
 * Applies one event to the record of its ID, in place, and says what happened.
 * - set: replaces the state; merge: RFC 7396 merge patch onto the state ({} when none);
 * - incr: adds each delta to the top-level field of that name; a missing or non-numeric field
 *   counts as 0 (the delta replaces it), and a sum that is not a safe number rejects the event whole;
 * - delete: tombstones the ID; a later set/merge/incr revives it from an empty state.
 * `dedupeWindow` is K, how many recent eventIds the record keeps.
 */
export function applyEvent(record: EntityRecord, event: StampedEvent, offset: number, dedupeWindow: number): ApplyOutcome {
  if (event.eventId !== undefined && record.recentEventIds.includes(event.eventId)) return { kind: 'duplicate' };

  const current: JsonObject | null = record.deleted ? null : record.state;
  let next: JsonObject | null;
  switch (event.op) {
    case 'set':
      next = event.data ?? Object.create(null);
      break;
    case 'merge': {
      const merged = mergePatch(current ?? Object.create(null), event.data ?? {});
      next = isObject(merged) ? merged : Object.create(null);
      break;
    }
    case 'incr': {
      const result = increment(current, event.data ?? {});
      if (typeof result === 'string') return { kind: 'rejected', reason: result };
      next = result;
      break;
    }
    case 'delete':
      next = null;
      break;
  }

  record.state = next;
  record.deleted = event.op === 'delete';
  record.version += 1;
  record.lastOffset = offset;
  record.eventTs = event.ts;
  if (event.eventId !== undefined) {
    record.recentEventIds.push(event.eventId);
    if (record.recentEventIds.length > dedupeWindow) record.recentEventIds.splice(0, record.recentEventIds.length - dedupeWindow);
  }
  return { kind: 'applied' };
}

/** Returns the incremented state, or the reason the increment cannot be represented. */
function increment(current: JsonObject | null, deltas: JsonObject): JsonObject | string {
  const next: JsonObject = Object.create(null);
  if (current) for (const key of Object.keys(current)) next[key] = current[key];
  for (const key of Object.keys(deltas)) {
    const delta = deltas[key];
    if (typeof delta !== 'number') return `incr delta for "${key}" is not a number`;
    const base = next[key];
    const sum = (typeof base === 'number' ? base : 0) + delta;
    if (!Number.isFinite(sum) || (Number.isInteger(sum) && !Number.isSafeInteger(sum))) {
      return `incr of "${key}" leaves the safe number range`;
    }
    next[key] = sum;
  }
  return next;
}
