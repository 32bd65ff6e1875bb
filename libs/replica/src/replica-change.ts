/*
 * The change message of GET /v1/changes (SSE `event: change`, `data:` this JSON) and of the
 * snapshot's `changes` array, format v1:
 *
 *   { "id": <string>, "version": <integer >= 1>, "deleted": <boolean>, "state": <object> | null,
 *     "partition": <integer>, "offset": <integer>, "ts": <integer ms> [, "expiresAt": <integer ms>] }
 *
 * `version` counts the events applied to the ID and only grows; `state` is null when deleted.
 */
export interface ReplicaChange {
  id: string;
  version: number;
  deleted: boolean;
  state: Record<string, unknown> | null;
  /** Source partition and offset of the events topic: the write token `partition:offset` this version includes. */
  partition: number;
  offset: number;
  /** Producer receive time (ms) of the last event in this version. */
  ts: number;
  /** When the ID expires (its `ttlMs`), ms since the epoch; absent: never. The replica hides it from then on. */
  expiresAt?: number;
}

/** A snapshot page: `cursor` on the first page only (where the stream continues), `next` for the following page. */
export interface SnapshotPageMessage {
  cursor?: string;
  changes: ReplicaChange[];
  next: string | null;
}

/** `event: dropped`: the server ended the stream (slow subscriber, shutdown); resume from `cursor`. */
export interface DroppedMessage {
  reason: string;
  message: string;
  cursor: string;
}
