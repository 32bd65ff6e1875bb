import { type HttpCase, eventBody, invalid } from '../hostile-case';

// Limits at and one past the edge (defaults: BODY_LIMIT_BYTES 4 MiB, BATCH_MAX_EVENTS 1000,
// ID_MAX_BYTES 256, EVENT_ID_MAX_BYTES 128, DATA_MAX_BYTES 64 KiB). The 10 MB and 100 MB bodies
// are streamed by the spec itself (see hostile-input.e2e.spec.ts).
export const BODY_LIMIT = 4 * 1024 * 1024;
const small = eventBody({ id: 'size-padded', op: 'set', dataText: '{"padded":true}' });
const padded = (bytes: number) => small + ' '.repeat(bytes - small.length);
const batch = (n: number) => JSON.stringify({ events: Array.from({ length: n }, (_, i) => ({ id: `size-batch-${i % 50}`, op: 'incr', data: { n: 1 } })) });
// {"s":"xxx..."} of exactly `bytes` bytes as JSON.
const dataOf = (bytes: number) => JSON.stringify({ s: 'x'.repeat(bytes - 8) });

export const SIZE_CASES: HttpCase[] = [
  { name: 'body exactly BODY_LIMIT_BYTES (a valid event padded with spaces)', category: 'size', body: padded(BODY_LIMIT), expect: 'accepted' },
  { name: 'body BODY_LIMIT_BYTES + 1', category: 'size', body: padded(BODY_LIMIT + 1), expect: invalid('', 'max-body-bytes', 413, 'body_too_large') },
  { name: 'batch of BATCH_MAX_EVENTS events', category: 'size', path: '/v1/events:batch', body: batch(1000), expect: 'accepted' },
  { name: 'batch of BATCH_MAX_EVENTS + 1 events', category: 'size', path: '/v1/events:batch', body: batch(1001), expect: invalid('/events', 'max-items') },
  { name: 'id of 256 ASCII bytes', category: 'size', event: { id: 'i'.repeat(256), op: 'set', dataText: '{"at":"limit"}' }, expect: 'accepted' },
  { name: 'id of 257 ASCII bytes', category: 'size', event: { id: 'i'.repeat(257), op: 'set', dataText: '{}' }, expect: invalid('/id', 'max-bytes') },
  { name: 'id of 85 x € + 1 (256 bytes, 86 characters)', category: 'size', event: { id: '€'.repeat(85) + 'x', op: 'set', dataText: '{"at":"limit"}' }, expect: 'accepted' },
  { name: 'id of 86 x € (258 bytes, 86 characters)', category: 'size', event: { id: '€'.repeat(86), op: 'set', dataText: '{}' }, expect: invalid('/id', 'max-bytes') },
  { name: 'eventId of 128 bytes', category: 'size', event: { id: 'size-event-id', op: 'set', dataText: '{}', eventId: 'e'.repeat(128) }, expect: 'accepted' },
  { name: 'eventId of 129 bytes', category: 'size', event: { id: 'size-event-id', op: 'set', dataText: '{}', eventId: 'e'.repeat(129) }, expect: invalid('/eventId', 'max-bytes') },
  { name: 'data of exactly 64 KiB as JSON', category: 'size', event: { id: 'size-data', op: 'set', dataText: dataOf(65536) }, expect: 'accepted' },
  { name: 'data of 64 KiB + 1 as JSON', category: 'size', event: { id: 'size-data', op: 'set', dataText: dataOf(65537) }, expect: invalid('/data', 'max-bytes') },
  { name: 'batch whose 3rd event has a 257-byte id', category: 'size', path: '/v1/events:batch', body: JSON.stringify({ events: [{ id: 'a', op: 'delete' }, { id: 'b', op: 'delete' }, { id: 'c'.repeat(257), op: 'delete' }] }), expect: invalid('/events/2/id', 'max-bytes') },
];
