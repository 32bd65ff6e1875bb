import type { CommittedChange, JsonObject } from '@async2/domain';

/*
 * Kafka record format v1 of the change topic (`<topic>.changes`, compacted).
 *
 *   key    := UTF-8 bytes of the entity id (compaction keeps the latest change of every id)
 *   value  := UTF-8 JSON object:
 *             { "v": 1, "id": <string>, "version": <integer >= 1>, "deleted": <boolean>,
 *               "state": <object> | null, "partition": <integer>, "offset": <integer>, "ts": <integer ms>
 *               [, "expiresAt": <integer ms>] }
 *             `expiresAt` (the ID's TTL expiry) was added compatibly: absent means none, and readers
 *             that do not know it see the ID until the sweep's deletion arrives.
 *
 * A deletion is a record with "deleted": true and "state": null, never a Kafka tombstone (null
 * value): readers need its version, and compaction must not forget that the id was deleted.
 * Field order is fixed by the encoder for byte-stable fixtures; the decoder accepts any order.
 */
export const CHANGE_RECORD_VERSION = 1;

export function encodeChangeRecord(change: CommittedChange): { key: Buffer; value: Buffer } {
  const value = {
    v: CHANGE_RECORD_VERSION,
    id: change.id,
    version: change.version,
    deleted: change.deleted,
    state: change.deleted ? null : change.state,
    partition: change.partition,
    offset: change.offset,
    ts: change.ts,
    ...(change.expiresAt === undefined ? {} : { expiresAt: change.expiresAt }),
  };
  return { key: Buffer.from(change.id, 'utf8'), value: Buffer.from(JSON.stringify(value), 'utf8') };
}

export type ChangeDecodeResult = { ok: true; change: CommittedChange } | { ok: false; reason: string };

/** Decodes a change record; the value's JSON text is returned untouched by `encodeChangeRecord`'s order. */
export function decodeChangeRecord(key: Buffer | null, value: Buffer | null): ChangeDecodeResult {
  if (value === null) return { ok: false, reason: 'record has no value' };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'value is not a JSON object' };
  const { v, id, version, deleted, state, partition, offset, ts, expiresAt } = parsed;
  if (v !== CHANGE_RECORD_VERSION) return { ok: false, reason: `unsupported change record version ${JSON.stringify(v)}` };
  if (typeof id !== 'string' || key === null || key.toString('utf8') !== id) return { ok: false, reason: 'id must be a string equal to the record key' };
  if (!isCount(version) || version < 1) return { ok: false, reason: 'version must be a positive integer' };
  if (typeof deleted !== 'boolean') return { ok: false, reason: 'deleted must be a boolean' };
  if (deleted ? state !== null : state === null || typeof state !== 'object' || Array.isArray(state)) {
    return { ok: false, reason: 'state must be an object, or null when deleted' };
  }
  if (!isCount(partition) || !isCount(offset) || !isCount(ts)) return { ok: false, reason: 'partition, offset and ts must be non-negative integers' };
  if (expiresAt !== undefined && !isCount(expiresAt)) return { ok: false, reason: 'expiresAt must be a non-negative integer' };
  const change: CommittedChange = { id, version, deleted, state: state as JsonObject | null, partition, offset, ts };
  if (expiresAt !== undefined) change.expiresAt = expiresAt;
  return { ok: true, change };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
