import type { ChangeOp, JsonObject, StampedEvent } from '../event-contract/change-event';
import { applyEvent } from './apply-event';
import { emptyRecord, type EntityRecord } from './entity-record';
import { expireRecord, expiryAfter, isExpired, isReadable } from './expiry';
import { PartitionBuffer } from './partition-buffer';

// TTL: ttlMs on a write sets the ID's expiry (receive time + ttlMs); fold/expiry.ts.
const T0 = 1_700_000_000_000;
let offset = 0;
function ev(op: ChangeOp, at: number, data?: JsonObject, ttlMs?: number, eventId?: string): StampedEvent {
  const e: StampedEvent = { id: 'u', op, ts: T0 + at, src: 'p' };
  if (data !== undefined) e.data = data;
  if (ttlMs !== undefined) e.ttlMs = ttlMs;
  if (eventId !== undefined) e.eventId = eventId;
  return e;
}
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null));
function fold(events: StampedEvent[], record: EntityRecord = emptyRecord('u', 0)): EntityRecord {
  for (const e of events) applyEvent(record, e, offset++, 4);
  return record;
}

describe('expiryAfter: what a write does to the expiry', () => {
  it.each<[string, number | undefined, Pick<StampedEvent, 'op' | 'ts' | 'ttlMs'>, number | undefined]>([
    ['ttlMs sets it from the receive time', undefined, { op: 'set', ts: 100, ttlMs: 50 }, 150],
    ['ttlMs moves it later', 150, { op: 'merge', ts: 120, ttlMs: 100 }, 220],
    ['ttlMs moves it earlier too (the newest write decides)', 500, { op: 'incr', ts: 120, ttlMs: 10 }, 130],
    ['a write without ttlMs keeps it', 150, { op: 'set', ts: 120 }, 150],
    ['a write without ttlMs on an ID without expiry keeps none', undefined, { op: 'append', ts: 120 }, undefined],
    ['delete clears it', 150, { op: 'delete', ts: 120 }, undefined],
  ])('%s', (_name, current, event, expected) => {
    expect(expiryAfter(current, event)).toBe(expected);
  });
});

describe('isExpired / isReadable at a given now', () => {
  const live = { deleted: false, state: { a: 1 }, expiresAt: T0 + 100 };
  it.each<[string, Pick<EntityRecord, 'deleted' | 'state' | 'expiresAt'>, number, boolean, boolean]>([
    ['before the expiry', live, T0 + 99, false, true],
    ['at the expiry (inclusive)', live, T0 + 100, true, false],
    ['after the expiry', live, T0 + 5000, true, false],
    ['no expiry', { deleted: false, state: { a: 1 } }, T0 + 10 ** 9, false, true],
    ['a tombstone is never expired (nothing to expire) nor readable', { deleted: true, state: null, expiresAt: T0 }, T0 + 1, false, false],
  ])('%s', (_name, record, now, expired, readable) => {
    expect(isExpired(record, now)).toBe(expired);
    expect(isReadable(record, now)).toBe(readable);
  });

  it('expireRecord makes the tombstone: one version, at the expiry, no expiry or field times left', () => {
    const record: EntityRecord = { ...emptyRecord('u', 0), state: { a: 1 }, version: 3, eventTs: T0, expiresAt: T0 + 100, fieldTimes: { fields: { a: 1 } }, recentEventIds: ['e1'] };
    expireRecord(record);
    expect(plain(record)).toEqual({ id: 'u', state: null, deleted: true, version: 4, partition: 0, lastOffset: -1, eventTs: T0 + 100, recentEventIds: ['e1'] });
  });
});

describe('applyEvent with ttlMs', () => {
  it.each<[string, StampedEvent[], unknown, number, number | null, boolean]>([
    ['a write with ttlMs sets the expiry', [ev('set', 0, { a: 1 }, 100)], { a: 1 }, 1, T0 + 100, false],
    ['a write before the expiry applies to the live state and keeps it', [ev('set', 0, { a: 1 }, 100), ev('merge', 99, { b: 2 })], { a: 1, b: 2 }, 2, T0 + 100, false],
    ['a write with ttlMs before the expiry extends it', [ev('set', 0, { n: 1 }, 100), ev('incr', 50, { n: 1 }, 100)], { n: 2 }, 2, T0 + 150, false],
    ['a write at or after the expiry revives the ID from empty (expiry + write: two versions)', [ev('set', 0, { a: 1, n: 5 }, 100), ev('incr', 100, { n: 1 })], { n: 1 }, 3, null, false],
    ['a revival with ttlMs expires again later', [ev('set', 0, { a: 1 }, 100), ev('merge', 300, { b: 1 }, 50)], { b: 1 }, 3, T0 + 350, false],
    ['a delete clears the expiry', [ev('set', 0, { a: 1 }, 100), ev('delete', 10)], null, 2, null, true],
    ['a delete after the expiry: expiry, then the delete', [ev('set', 0, { a: 1 }, 100), ev('delete', 200)], null, 3, null, true],
    ['a write after a delete starts without expiry', [ev('set', 0, { a: 1 }, 100), ev('delete', 10), ev('set', 20, { c: 1 })], { c: 1 }, 3, null, false],
  ])('%s', (_name, events, state, version, expiresAt, deleted) => {
    const record = fold(events);
    expect(plain(record.state)).toEqual(state);
    expect(record.version).toBe(version);
    expect(record.expiresAt ?? null).toBe(expiresAt);
    expect(record.deleted).toBe(deleted);
  });

  it('forgets the field times of an expired ID: the revival starts afresh', () => {
    const record = fold([{ ...ev('set', 0, { a: 1 }, 100), eventTime: 5000 }, { ...ev('set', 200, { a: 2 }), eventTime: 10 }]);
    expect(plain(record.state)).toEqual({ a: 2 });
    expect(plain(record.fieldTimes)).toEqual({ lastSet: 10, fields: {} });
  });

  it('a duplicate retry after the expiry changes nothing, not even the expiry (the sweep takes it)', () => {
    const record = fold([ev('set', 0, { a: 1 }, 100, 'e1')]);
    expect(applyEvent(record, ev('set', 500, { a: 1 }, 100, 'e1'), offset++, 4)).toEqual({ kind: 'duplicate' });
    expect(record).toMatchObject({ version: 1, deleted: false, expiresAt: T0 + 100 });
  });
});

describe('PartitionBuffer: the expiry sweep', () => {
  const stored = (id: string, expiresAt: number | undefined, version = 2): EntityRecord => ({ ...emptyRecord(id, 3), state: { v: id }, version, lastOffset: 7, eventTs: T0, ...(expiresAt === undefined ? {} : { expiresAt }) });
  function buffer(): PartitionBuffer {
    return new PartitionBuffer({ partition: 3, nextOffset: 10, dedupeWindow: 4, maxCachedIds: 100 });
  }

  it('loads expired rows it does not hold, tombstones them in the plan, and never takes them twice', () => {
    const b = buffer();
    b.requireRows(['x', 'y']);
    expect(b.pendingIds().sort()).toEqual(['x', 'y']);
    b.resolvePending(new Map([['x', stored('x', T0 + 100)], ['y', stored('y', T0 + 900)]]));
    expect(b.expire(T0 + 500, ['x', 'y'])).toBe(1); // y's row was extended since the query: not expired
    const plan = b.flushPlan();
    expect(plan.nextOffset).toBe(10); // a sweep-only flush moves no offset
    expect(plain(plan.records)).toEqual([{ id: 'x', state: null, deleted: true, version: 3, partition: 3, lastOffset: 7, eventTs: T0 + 100, recentEventIds: [] }]);
    b.markCommitted(plan);
    expect(b.expire(T0 + 600, ['x'])).toBe(0); // a replayed candidate list finds a tombstone
    expect(b.flushPlan().records).toEqual([]);
  });

  it('expires records changed in memory whose new expiry passed, but not those a write extended', () => {
    const b = buffer();
    b.resolvePending(new Map());
    b.fold(ev('set', 0, { a: 1 }, 100), 10); // 'u', pending
    b.resolvePending(new Map());
    expect(b.expire(T0 + 99, [])).toBe(0);
    b.fold(ev('merge', 50, { b: 1 }, 100), 11); // extends to T0 + 150
    expect(b.expire(T0 + 120, [])).toBe(0);
    expect(b.expire(T0 + 150, [])).toBe(1);
    expect(b.peek('u')).toMatchObject({ deleted: true, version: 3 });
  });

  it('a write folded after the sweep revives the tombstone (a later write wins)', () => {
    const b = buffer();
    b.requireRows(['u']);
    b.resolvePending(new Map([['u', stored('u', T0 + 100)]]));
    b.expire(T0 + 200, ['u']);
    b.fold(ev('set', 300, { back: true }), 10);
    const [record] = b.flushPlan().records;
    expect(record).toMatchObject({ deleted: false, version: 4, lastOffset: 10 });
    expect(plain(record.state)).toEqual({ back: true });
  });

  it('leaves IDs already waiting for their row to the events that wait (requireRows adds no second entry)', () => {
    const b = buffer();
    b.fold(ev('set', 200, { n: 1 }), 10);
    b.requireRows(['u']);
    b.resolvePending(new Map([['u', stored('u', T0 + 100)]]));
    // The stored row expired before the write's receive time: the write revived it in the fold.
    expect(b.expire(T0 + 300, ['u'])).toBe(0);
    expect(b.peek('u')).toMatchObject({ deleted: false, version: 4 });
  });
});
