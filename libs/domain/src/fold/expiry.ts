import type { StampedEvent } from '../event-contract/change-event';
import type { EntityRecord } from './entity-record';

/**
 * TTL: an ID written with `ttlMs` expires at the event's receive time (the producer's `ts`) plus
 * `ttlMs`; a later write with `ttlMs` moves the expiry, one without keeps it, `delete` clears it.
 * An expired ID is gone: reads answer 404, and the consumer makes it a tombstone (`expireRecord`)
 * either in the sweep of a flush or, when a write reaches it first, just before that write, which
 * then revives the ID from an empty state. The tombstone counts as a version (it is a change the
 * change stream carries), clears the expiry (so it is never taken twice) and forgets the field
 * times, as a delete does.
 */

/** Whether `record` is a live ID whose expiry is at or before `now` (ms since the epoch). */
export function isExpired(record: Pick<EntityRecord, 'deleted' | 'expiresAt'>, now: number): boolean {
  return !record.deleted && record.expiresAt !== undefined && record.expiresAt <= now;
}

/** Whether a read at `now` may answer the record's state: not deleted, and not expired. */
export function isReadable(record: Pick<EntityRecord, 'deleted' | 'expiresAt'> & { state: unknown }, now: number): boolean {
  return !record.deleted && record.state !== null && !isExpired(record, now);
}

/** Turns an expired record into its tombstone, in place: one version, at the time it expired. */
export function expireRecord(record: EntityRecord): void {
  record.eventTs = record.expiresAt ?? record.eventTs;
  record.state = null;
  record.deleted = true;
  record.version += 1;
  delete record.expiresAt;
  delete record.fieldTimes;
}

/**
 * The record as an event received at `now` finds it, without changing it: an ID expired by then is
 * its tombstone (absent, one version more: what expireRecord makes), swept or not. Conditions are
 * judged against it, so a replay judges the same.
 */
export function recordAt(record: EntityRecord, now: number): EntityRecord {
  if (!isExpired(record, now)) return record;
  return { ...record, state: null, deleted: true, version: record.version + 1, expiresAt: undefined, fieldTimes: undefined };
}

/** The expiry after `event` applied to a record whose expiry was `current`: set by ttlMs, kept without, cleared by delete. */
export function expiryAfter(current: number | undefined, event: Pick<StampedEvent, 'op' | 'ts' | 'ttlMs'>): number | undefined {
  if (event.op === 'delete') return undefined;
  return event.ttlMs === undefined ? current : event.ts + event.ttlMs;
}
