import type { JsonObject } from '../event-contract/change-event';
import type { FieldTimes } from './field-times';

/**
 * The materialised state of one ID, as the consumer holds it in memory and as a row of EVENTS
 * stores it. A deleted ID is a tombstone (`deleted`, `state` null): it keeps counting versions and
 * remembering recent eventIds, so a late retry of an event applied before the delete stays a no-op.
 */
export interface EntityRecord {
  id: string;
  state: JsonObject | null;
  deleted: boolean;
  /** Number of events applied to this ID (duplicates by eventId are not applied, so not counted). */
  version: number;
  partition: number;
  /** Kafka offset of the last applied event. */
  lastOffset: number;
  /** Producer receive time (ms) of the last applied event. */
  eventTs: number;
  /** The last K client eventIds applied to this ID, oldest first. */
  recentEventIds: string[];
  /** Per top-level field, the client event time (`ts`) of its last timed write; absent: none yet. */
  fieldTimes?: FieldTimes;
  /** When the ID expires (ms since the epoch, producer time; see expiry.ts); absent: never. */
  expiresAt?: number;
}

/** A record for an ID that has never been seen: no state, version 0. */
export function emptyRecord(id: string, partition: number): EntityRecord {
  return { id, state: null, deleted: false, version: 0, partition, lastOffset: -1, eventTs: 0, recentEventIds: [] };
}

/**
 * A record the fold may change in place for an ID: a copy of its stored row (the array it mutates
 * copied too, so the stored row stays as it is), or an empty record when there is none.
 */
export function foldableRecord(stored: EntityRecord | undefined, id: string, partition: number): EntityRecord {
  return stored ? cloneRecord(stored) : emptyRecord(id, partition);
}

/** A copy of a record that shares nothing the fold mutates. */
export function cloneRecord(record: EntityRecord): EntityRecord {
  return { ...record, recentEventIds: [...record.recentEventIds] };
}
