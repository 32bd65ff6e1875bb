import fc from 'fast-check';
import type { JsonObject, StampedEvent } from '../event-contract/change-event';
import { applyEvent } from './apply-event';
import { emptyRecord, type EntityRecord } from './entity-record';

// Event-time writes: `ts` on set and merge, last writer wins per top-level field.
let offset = 0;
const timed = (op: 'set' | 'merge', data: JsonObject, eventTime?: number): StampedEvent => ({ id: 'u', op, data, ts: 1_700_000_000_000 + offset, src: 'p', ...(eventTime === undefined ? {} : { eventTime }) });
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null));
function fold(events: StampedEvent[], record: EntityRecord = emptyRecord('u', 0)): EntityRecord {
  for (const e of events) expect(applyEvent(record, e, offset++, 16).kind).toBe('applied');
  return record;
}

/** JSON with sorted keys, to compare states whatever order their keys were written in. */
const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

/** Every order of a list (small lists only). */
function permutations<T>(list: T[]): T[][] {
  if (list.length <= 1) return [list];
  return list.flatMap((item, i) => permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('set and merge with an event time (ts)', () => {
  it.each<[string, StampedEvent[], unknown, unknown]>([
    ['a newer set replaces', [timed('set', { a: 1 }, 10), timed('set', { a: 2 }, 20)], { a: 2 }, { lastSet: 20, fields: {} }],
    ['an older set is ignored', [timed('set', { a: 2 }, 20), timed('set', { a: 1, n: 1 }, 10)], { a: 2 }, { lastSet: 20, fields: {} }],
    ['an equal time: the later in Kafka order wins', [timed('set', { a: 1 }, 10), timed('set', { a: 2 }, 10)], { a: 2 }, { lastSet: 10, fields: {} }],
    ['a set removes older fields it lacks', [timed('set', { a: 1, b: 1 }, 10), timed('set', { a: 2 }, 20)], { a: 2 }, { lastSet: 20, fields: {} }],
    ['a set keeps newer fields it lacks', [timed('merge', { b: 5 }, 30), timed('set', { a: 2 }, 20)], { a: 2, b: 5 }, { lastSet: 20, fields: { b: 30 } }],
    ['an older set wins the fields written before it', [timed('set', { a: 1, b: 1 }, 30), timed('merge', { a: 0 }, 5), timed('set', { a: 2, b: 2 }, 20)], { a: 1, b: 1 }, { lastSet: 30, fields: {} }],
    ['an older set wins a field merged before it, under a newer set', [timed('merge', { a: 0 }, 5), timed('set', { b: 1 }, 30), timed('set', { a: 2 }, 20)], { b: 1 }, { lastSet: 30, fields: {} }],
    ['an older set cannot bring back a field removed later', [timed('merge', { b: null }, 30), timed('set', { b: 1 }, 20)], {}, { lastSet: 20, fields: { b: 30 } }],
    ['a field no event named yet is as old as the last set', [timed('set', { a: 1 }, 20), timed('merge', { z: 1 }, 10), timed('merge', { y: 1 }, 30)], { a: 1, y: 1 }, { lastSet: 20, fields: { y: 30 } }],
    ['an older merge is ignored only on the fields that are newer', [timed('merge', { a: 2 }, 20), timed('merge', { a: 1, c: 1 }, 10)], { a: 2, c: 1 }, { fields: { a: 20, c: 10 } }],
    ['a newer merge patches inside the field (RFC 7396)', [timed('set', { o: { x: 1, y: 1 } }, 10), timed('merge', { o: { y: null, z: 2 } }, 20)], { o: { x: 1, z: 2 } }, { lastSet: 10, fields: { o: 20 } }],
    ['a merge with null removes a field and keeps its time', [timed('set', { a: 1 }, 10), timed('merge', { a: null }, 20), timed('merge', { a: 3 }, 15)], {}, { lastSet: 10, fields: { a: 20 } }],
    ['an untimed set replaces the state and leaves the times', [timed('set', { a: 1 }, 50), timed('set', { a: 9, b: 9 })], { a: 9, b: 9 }, { lastSet: 50, fields: {} }],
    ['an untimed write does not protect a field from an older timed one', [timed('set', { b: 9 }), timed('merge', { b: 1 }, 5)], { b: 1 }, { fields: { b: 5 } }],
  ])('%s', (_name, events, state, times) => {
    const record = fold(events);
    expect(plain(record.state)).toEqual(state);
    expect(plain(record.fieldTimes)).toEqual(times);
    expect(record.version).toBe(events.length);
  });

  it('counts an event that changes no field as applied (version and eventIds move, state stays)', () => {
    const record = fold([timed('set', { a: 2 }, 20), { ...timed('set', { a: 1 }, 10), eventId: 'late' }]);
    expect(record).toMatchObject({ version: 2, recentEventIds: ['late'] });
    expect(plain(record.state)).toEqual({ a: 2 });
  });

  it('forgets the field times on delete: a revived ID starts from nothing', () => {
    const record = fold([timed('set', { a: 2 }, 20), { id: 'u', op: 'delete', ts: 1, src: 'p' }, timed('set', { a: 1 }, 10)]);
    expect(plain(record.state)).toEqual({ a: 1 });
    expect(plain(record.fieldTimes)).toEqual({ lastSet: 10, fields: {} });
  });

  it('never mutates the times of a record copied before (shallow copies share them safely)', () => {
    const record = fold([timed('merge', { a: 1 }, 10)]);
    const copy = { ...record };
    fold([timed('merge', { a: 2, b: 2 }, 20)], record);
    expect(plain(copy.fieldTimes)).toEqual({ fields: { a: 10 } });
  });

  it('reads stored times of keys named like Object.prototype members as data, not inherited members', () => {
    const record = fold([timed('merge', { toString: 1, hasOwnProperty: 1 }, 10)]);
    record.fieldTimes = JSON.parse(JSON.stringify(record.fieldTimes)); // as loaded from EVENTS: a plain object
    fold([timed('merge', { toString: 2, valueOf: 2 }, 5)], record);
    expect(plain(record.state)).toEqual({ toString: 1, hasOwnProperty: 1, valueOf: 2 });
  });

  it('converges: replacing writes give the newest value per field in every arrival order', () => {
    const writes = [
      timed('set', { a: 1, b: 1 }, 10),
      timed('merge', { b: 2, c: [2] }, 20),
      timed('set', { a: 3 }, 30),
      timed('merge', { c: null, d: 'x' }, 25),
    ];
    const states = permutations(writes).map((order) => canonical(fold(order).state));
    expect(new Set(states)).toEqual(new Set([canonical({ a: 3 })])); // the set at 30 decides every field
    const withoutLastSet = permutations(writes.filter((w) => w.eventTime !== 30)).map((order) => canonical(fold(order).state));
    expect(new Set(withoutLastSet)).toEqual(new Set([canonical({ a: 1, b: 2, d: 'x' })]));
  });
});

describe('event-time convergence, property-based', () => {
  // Distinct times, scalar values (a merge of a nested object patches inside the field, so only
  // replaced values are order-free): any arrival order folds to the state of the time order.
  const key = fc.constantFrom('a', 'b', 'c', 'toString');
  const write = fc.record({
    op: fc.constantFrom<'set' | 'merge'>('set', 'merge'),
    data: fc.dictionary(key, fc.oneof(fc.integer(), fc.constant(null)), { maxKeys: 3 }),
  });
  it('folds every shuffle of timed writes to the state of their time order', () => {
    fc.assert(
      fc.property(fc.array(write, { minLength: 1, maxLength: 7 }), fc.nat(), (writes, seed) => {
        const events = writes.map((w, i) => timed(w.op, w.op === 'set' ? Object.fromEntries(Object.entries(w.data).filter(([, v]) => v !== null)) : w.data, 100 + i));
        const shuffled = [...events].sort((x, y) => (((x.eventTime ?? 0) * 7919 + seed) % 101) - (((y.eventTime ?? 0) * 7919 + seed) % 101));
        expect(canonical(fold(shuffled).state)).toBe(canonical(fold(events).state));
      }),
      { numRuns: 500 },
    );
  });
});
