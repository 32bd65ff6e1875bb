/**
 * The ways an event changes the state of its ID (design section 2; docs/api.md, "Operations").
 * `max`, `min`, `append`, `addToSet` and `removeFromSet` work per top-level field, like `incr`.
 */
export type ChangeOp = 'set' | 'merge' | 'incr' | 'max' | 'min' | 'append' | 'addToSet' | 'removeFromSet' | 'delete';

export const CHANGE_OPS: readonly ChangeOp[] = ['set', 'merge', 'incr', 'max', 'min', 'append', 'addToSet', 'removeFromSet', 'delete'];

/** A JSON value as stored in a jsonb column: finite numbers only, no prototype-bearing keys. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** An event as a client sends it, after validation. */
export interface ChangeEvent {
  id: string;
  op: ChangeOp;
  /** Present for every op but delete. */
  data?: JsonObject;
  /** append only: how many of the field's last values the array keeps (1..limits.appendKeepLastMax). */
  keepLast?: number;
  /**
   * set and merge only: the client's event time (`ts` in the API, ms since the epoch). Each top-level
   * field it writes keeps it; a later event with an older time leaves that field alone.
   */
  eventTime?: number;
  /**
   * Any op but delete: the ID expires `ttlMs` after the producer received this event (its `ts`);
   * reads never return it afterwards and the consumer turns it into a tombstone (fold/expiry.ts).
   */
  ttlMs?: number;
  /** Optional client-chosen idempotency key: a retry with the same eventId for the same id applies once. */
  eventId?: string;
  /**
   * `if` in the API: apply only when the ID's state meets it, else the event is rejected and changes
   * nothing. The fold's verdict (applied or rejected) is committed with the flush (see condition-verdict.ts).
   */
  condition?: EventCondition;
}

/**
 * The condition of a conditional event, exactly one of: the ID's version is `version` (events applied
 * to it, deletes included); the ID has no live state (never written, or deleted); it has live state.
 */
export type EventCondition = { version: number } | { absent: true } | { present: true };

/** An event as the producer publishes it: stamped with its receive time and the producer instance. */
export interface StampedEvent extends ChangeEvent {
  /** Producer receive time, milliseconds since the Unix epoch. */
  ts: number;
  /** The producer instance (one process, one incarnation) that accepted the event. */
  src: string;
  /**
   * The record's number within `src`, growing in the order the producer queued its records:
   * `(src, seq)` is the record's identity, so the consumer can refuse a second copy of it.
   * Absent on records of writers that assign none.
   */
  seq?: number;
}

/** Where Kafka stored an event: the write token for read-your-writes reads. */
export interface WritePosition {
  partition: number;
  offset: number;
}
