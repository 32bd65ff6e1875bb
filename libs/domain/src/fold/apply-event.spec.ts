import type { ChangeOp, JsonObject, StampedEvent } from '../event-contract/change-event';
import { applyEvent } from './apply-event';
import { emptyRecord, type EntityRecord } from './entity-record';

const K = 3;

let nextOffset = 0;
let clock = 1_700_000_000_000;

function event(op: ChangeOp, data?: JsonObject, eventId?: string): StampedEvent {
  const e: StampedEvent = { id: 'user-1', op, ts: clock++, src: 'producer-a' };
  if (data !== undefined) e.data = data;
  if (eventId !== undefined) e.eventId = eventId;
  return e;
}

/** Applies the events in order at increasing offsets; returns the outcome kinds. */
function apply(record: EntityRecord, ...events: StampedEvent[]): string[] {
  return events.map((e) => applyEvent(record, e, nextOffset++, K).kind);
}

const stateOf = (r: EntityRecord): unknown => JSON.parse(JSON.stringify(r.state));
const snapshot = (r: EntityRecord): unknown => JSON.parse(JSON.stringify(r));

let record: EntityRecord;
beforeEach(() => {
  record = emptyRecord('user-1', 2);
});

describe('applyEvent on a new ID', () => {
  it.each<[ChangeOp, JsonObject | undefined, unknown]>([
    ['set', { name: 'Ada', tags: ['x'] }, { name: 'Ada', tags: ['x'] }],
    ['merge', { name: 'Ada', gone: null }, { name: 'Ada' }],
    ['incr', { n: 5, m: -1.5 }, { n: 5, m: -1.5 }],
    ['max', { n: -5 }, { n: -5 }],
    ['min', { n: 5 }, { n: 5 }],
    ['append', { log: [1, 2] }, { log: [1, 2] }],
    ['addToSet', { tags: ['b', 'a', 'b'] }, { tags: ['a', 'b'] }],
    ['removeFromSet', { tags: ['a'] }, { tags: [] }],
    ['delete', undefined, null],
  ])('%s: state becomes %j, version 1, offset and event time recorded', (op, data, expected) => {
    const e = event(op, data);
    expect(applyEvent(record, e, 41, K)).toEqual({ kind: 'applied' });
    expect(stateOf(record)).toEqual(expected);
    expect(record).toMatchObject({ deleted: op === 'delete', version: 1, lastOffset: 41, eventTs: e.ts, partition: 2 });
  });
});

describe('applyEvent on an existing state', () => {
  it('counts every applied event, delete included, and tracks the last offset and event time', () => {
    const last = event('delete');
    expect(apply(record, event('set', { a: 1 }), event('merge', { b: 2 }), event('incr', { a: 1 }), last)).toEqual([
      'applied', 'applied', 'applied', 'applied',
    ]);
    expect(record.version).toBe(4);
    expect(record.lastOffset).toBe(nextOffset - 1);
    expect(record.eventTs).toBe(last.ts);
  });

  it('set replaces the whole state; merge patches it', () => {
    apply(record, event('set', { a: 1, b: { c: 2, d: 3 } }), event('merge', { b: { c: null }, e: 4 }));
    expect(stateOf(record)).toEqual({ a: 1, b: { d: 3 }, e: 4 });
    apply(record, event('set', { z: 0 }));
    expect(stateOf(record)).toEqual({ z: 0 });
  });

  it('incr adds to numeric fields and leaves the other fields alone', () => {
    apply(record, event('set', { n: 1.5, label: 'x' }), event('incr', { n: 2 }), event('incr', { n: -10 }));
    expect(stateOf(record)).toEqual({ n: -6.5, label: 'x' });
  });

  it('incr on a missing field starts from 0', () => {
    apply(record, event('set', { label: 'x' }), event('incr', { n: 7 }));
    expect(stateOf(record)).toEqual({ label: 'x', n: 7 });
  });

  it.each([['text'], [null], [true], [{ nested: 1 }], [[1, 2]]])('incr on a non-numeric field (%j) replaces it by the delta', (old) => {
    apply(record, event('set', { n: old as JsonObject[string] }), event('incr', { n: 3 }));
    expect(stateOf(record)).toEqual({ n: 3 });
  });

  it.each([
    ['to Infinity', { n: Number.MAX_VALUE }, { n: Number.MAX_VALUE }],
    ['past 2^53', { n: Number.MAX_SAFE_INTEGER }, { n: 1 }],
    ['below -2^53', { n: -Number.MAX_SAFE_INTEGER }, { n: -1 }],
    ['in its second field only (the first must not apply either)', { a: 1, n: Number.MAX_SAFE_INTEGER }, { a: 1, n: 1 }],
  ])('rejects an incr that overflows %s and leaves the record unchanged', (_name, state, deltas) => {
    apply(record, event('set', state));
    const before = snapshot(record);
    const outcome = applyEvent(record, event('incr', deltas, 'e-overflow'), 99, K);
    expect(outcome.kind).toBe('rejected');
    expect(outcome.kind === 'rejected' && outcome.reason).toMatch(/"n"/);
    expect(snapshot(record)).toEqual(before);
  });

  it('accepts an incr that lands exactly on 2^53 - 1', () => {
    apply(record, event('set', { n: Number.MAX_SAFE_INTEGER - 1 }));
    expect(apply(record, event('incr', { n: 1 }))).toEqual(['applied']);
    expect(record.state?.n).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('does not mutate the data of events applied before', () => {
    const first = event('set', { n: 1, o: { a: 1 } });
    apply(record, first, event('incr', { n: 1 }), event('merge', { o: { a: null, b: 2 } }));
    expect(first.data).toEqual({ n: 1, o: { a: 1 } });
    expect(stateOf(record)).toEqual({ n: 2, o: { b: 2 } });
  });
});

describe('applyEvent append keeps the last keepLast values the event carries', () => {
  it('trims to the event\'s keepLast, which may differ from event to event', () => {
    const append = (values: JsonObject[string], keepLast: number) => ({ ...event('append', { log: values }), keepLast });
    apply(record, append([1, 2, 3], 10), append([4], 2));
    expect(stateOf(record)).toEqual({ log: [3, 4] });
    apply(record, append([5, 6], 3));
    expect(stateOf(record)).toEqual({ log: [4, 5, 6] });
    expect(record.version).toBe(3);
  });
});

describe('applyEvent after a delete', () => {
  beforeEach(() => {
    apply(record, event('set', { a: 1, n: 10 }), event('delete'));
  });

  it('leaves a tombstone that keeps counting', () => {
    expect(record).toMatchObject({ state: null, deleted: true, version: 2 });
  });

  it('set revives the ID; the version continues', () => {
    apply(record, event('set', { b: 2 }));
    expect(record).toMatchObject({ deleted: false, version: 3 });
    expect(stateOf(record)).toEqual({ b: 2 });
  });

  it('merge starts from an empty state, not the state before the delete', () => {
    apply(record, event('merge', { b: 2, a: null }));
    expect(record).toMatchObject({ deleted: false, version: 3 });
    expect(stateOf(record)).toEqual({ b: 2 });
  });

  it('incr starts from an empty state', () => {
    apply(record, event('incr', { n: 1 }));
    expect(record).toMatchObject({ deleted: false, version: 3 });
    expect(stateOf(record)).toEqual({ n: 1 });
  });

  it.each<[ChangeOp, JsonObject, unknown]>([
    ['max', { n: 1 }, { n: 1 }],
    ['append', { log: ['x'] }, { log: ['x'] }],
    ['addToSet', { s: [2, 1] }, { s: [1, 2] }],
  ])('%s starts from an empty state', (op, data, expected) => {
    apply(record, event(op, data));
    expect(record).toMatchObject({ deleted: false, version: 3 });
    expect(stateOf(record)).toEqual(expected);
  });

  it('a second delete is applied and counted', () => {
    expect(apply(record, event('delete'))).toEqual(['applied']);
    expect(record).toMatchObject({ state: null, deleted: true, version: 3 });
  });
});

describe('applyEvent eventId dedupe', () => {
  it('applies a retried eventId once: the second is a duplicate and changes nothing', () => {
    apply(record, event('incr', { n: 1 }, 'e-1'));
    const before = snapshot(record);
    expect(applyEvent(record, event('incr', { n: 1 }, 'e-1'), 500, K)).toEqual({ kind: 'duplicate' });
    expect(snapshot(record)).toEqual(before);
    expect(record.version).toBe(1);
    expect(stateOf(record)).toEqual({ n: 1 });
  });

  it('recognises a retry of an event applied before a delete', () => {
    apply(record, event('set', { a: 1 }, 'e-1'), event('delete', undefined, 'e-2'));
    expect(apply(record, event('set', { a: 1 }, 'e-1'))).toEqual(['duplicate']);
    expect(record).toMatchObject({ deleted: true, state: null, version: 2 });
  });

  it(`remembers the last K (= ${K}) eventIds: after K others the oldest applies again`, () => {
    expect(apply(record, ...['e-1', 'e-2', 'e-3'].map((id) => event('incr', { n: 1 }, id)))).toEqual(['applied', 'applied', 'applied']);
    expect(apply(record, event('incr', { n: 1 }, 'e-1'))).toEqual(['duplicate']); // still among the last K

    apply(record, event('incr', { n: 1 }, 'e-4')); // e-1 is now K + 1 events back
    expect(record.recentEventIds).toEqual(['e-2', 'e-3', 'e-4']);
    expect(apply(record, event('incr', { n: 1 }, 'e-1'), event('incr', { n: 1 }, 'e-3'))).toEqual(['applied', 'duplicate']);
    expect(stateOf(record)).toEqual({ n: 5 });
    expect(record.version).toBe(5);
  });

  it('never dedupes events without an eventId', () => {
    const same = event('incr', { n: 1 });
    expect(apply(record, same, same, same)).toEqual(['applied', 'applied', 'applied']);
    expect(stateOf(record)).toEqual({ n: 3 });
    expect(record.recentEventIds).toEqual([]);
  });

  it('does not remember the eventId of a rejected event', () => {
    apply(record, event('set', { n: Number.MAX_SAFE_INTEGER }));
    expect(apply(record, event('incr', { n: 1 }, 'e-9'))).toEqual(['rejected']);
    apply(record, event('set', { n: 0 }));
    expect(apply(record, event('incr', { n: 1 }, 'e-9'))).toEqual(['applied']);
  });
});
