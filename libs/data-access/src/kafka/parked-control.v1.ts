import { PARKED_ACTIONS, type ParkedAction } from '@async2/domain';

/*
 * Parked-ID control record v1, on topic `events` (docs/parking.md): an operator's answer for a
 * parked ID, folded by the partition's owner in Kafka order with the ID's events.
 *
 *   key     := UTF-8 bytes of the parked ID (so Kafka's partitioner and ours put it in the ID's partition)
 *   value   := UTF-8 JSON object { "v": 1, "id": <string>, "action": "replay" | "skip-refused" | "discard",
 *              "refusedOffset": <integer, the offset of the refused event the operator saw: a request
 *              for an earlier parking of the ID is stale and changes nothing>,
 *              "ts": <integer, ms since epoch>, "by": <string, who asked: the admin API or the CLI> }
 *   headers := x-async2-control: parked-v1   (what tells it from an event; an event never carries it)
 *
 * A consumer older than this format decodes it as an event, finds no `op`, and sends it to the DLQ:
 * it never misapplies it.
 */
export const CONTROL_HEADER = 'x-async2-control';
export const PARKED_CONTROL_V1 = 'parked-v1';

export interface ParkedControl {
  id: string;
  action: ParkedAction;
  refusedOffset: number;
  ts: number;
  by: string;
}

export type ParkedControlDecode = { ok: true; control: ParkedControl } | { ok: false; reason: string };

export function encodeParkedControl(control: ParkedControl): { key: Buffer; value: Buffer; headers: Record<string, string> } {
  const value = { v: 1, id: control.id, action: control.action, refusedOffset: control.refusedOffset, ts: control.ts, by: control.by };
  return { key: Buffer.from(control.id, 'utf8'), value: Buffer.from(JSON.stringify(value), 'utf8'), headers: { [CONTROL_HEADER]: PARKED_CONTROL_V1 } };
}

/** Whether a record is a control record (by its header), whatever its value says. */
export function isControlRecord(headers: Readonly<Record<string, Buffer>>): boolean {
  return headers[CONTROL_HEADER] !== undefined;
}

/** Decodes a control record; a failure names the reason it goes to the DLQ. */
export function decodeParkedControl(headers: Readonly<Record<string, Buffer>>, key: Buffer | null, value: Buffer | null): ParkedControlDecode {
  const kind = headers[CONTROL_HEADER]?.toString('utf8');
  if (kind !== PARKED_CONTROL_V1) return { ok: false, reason: `unknown control record ${JSON.stringify(kind)}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    return { ok: false, reason: 'control record value is not JSON' };
  }
  const { v, id, action, refusedOffset, ts, by } = (parsed ?? {}) as Record<string, unknown>;
  if (v !== 1) return { ok: false, reason: `unsupported control record version ${JSON.stringify(v)}` };
  if (typeof id !== 'string' || id === '') return { ok: false, reason: 'control record id must be a non-empty string' };
  if (key === null || key.toString('utf8') !== id) return { ok: false, reason: 'control record key does not equal its id' };
  if (!(PARKED_ACTIONS as readonly unknown[]).includes(action)) return { ok: false, reason: `control record action must be one of ${PARKED_ACTIONS.join(', ')}` };
  if (typeof refusedOffset !== 'number' || !Number.isSafeInteger(refusedOffset) || refusedOffset < 0) return { ok: false, reason: 'control record refusedOffset must be a non-negative integer' };
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || typeof by !== 'string') return { ok: false, reason: 'control record ts must be an integer and by a string' };
  return { ok: true, control: { id, action: action as ParkedAction, refusedOffset, ts, by } };
}
