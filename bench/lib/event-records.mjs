// Events and Kafka records shaped exactly like the producer's (record format v1: key = id, value =
// JSON {v, id, op, data, eventId?, ts, src}), so the bare-client baselines move the same bytes.

/** The event a bench client sends: a counter increment on one of `idCount` IDs. */
export const benchEvent = (i, idCount, tag = 'b') => ({ id: `${tag}-${i % idCount}`, op: 'incr', data: { n: 1 } });

/** A larger event (a `set` carrying `padBytes` of text), for the memory-under-overload scenario. */
export const paddedEvent = (i, idCount, tag, padBytes) => ({ id: `${tag}-${i % idCount}`, op: 'set', data: { n: i, pad: 'x'.repeat(padBytes) } });

/** The Kafka record the producer would write for `event` (same field order as encodeEventRecord). */
export function benchRecord(event, ts = Date.now()) {
  return { key: event.id, value: JSON.stringify({ v: 1, id: event.id, op: event.op, data: event.data, ts, src: 'bench' }) };
}
