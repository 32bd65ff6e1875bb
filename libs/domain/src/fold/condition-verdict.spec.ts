import type { EventCondition, StampedEvent } from '../event-contract/change-event';
import { applyEvent } from './apply-event';
import { conditionHolds, verdictOf } from './condition-verdict';
import { type EntityRecord, emptyRecord } from './entity-record';

const never = emptyRecord('a', 0);
const live: EntityRecord = { ...emptyRecord('a', 0), state: { n: 1 }, version: 3, lastOffset: 9 };
const tombstone: EntityRecord = { ...emptyRecord('a', 0), state: null, deleted: true, version: 4, lastOffset: 12 };

describe('conditionHolds: the decision table', () => {
  it.each<[string, EntityRecord, EventCondition, boolean]>([
    ['never written, absent', never, { absent: true }, true],
    ['never written, present', never, { present: true }, false],
    ['never written, version 0', never, { version: 0 }, true],
    ['never written, version 1', never, { version: 1 }, false],
    ['live, absent', live, { absent: true }, false],
    ['live, present', live, { present: true }, true],
    ['live, its version', live, { version: 3 }, true],
    ['live, an older version', live, { version: 2 }, false],
    ['live, a newer version', live, { version: 4 }, false],
    ['tombstone, absent', tombstone, { absent: true }, true],
    ['tombstone, present', tombstone, { present: true }, false],
    ['tombstone, its version (a delete counts)', tombstone, { version: 4 }, true],
    ['tombstone, version 0', tombstone, { version: 0 }, false],
  ])('%s -> %s', (_name, record, condition, holds) => {
    expect(conditionHolds(record, condition)).toBe(holds);
  });
});

describe('applyEvent with a condition', () => {
  const event = (condition: EventCondition, eventId?: string): StampedEvent => ({ id: 'a', op: 'merge', data: { m: 1 }, ts: 5, src: 'p', condition, ...(eventId ? { eventId } : {}) });

  it('applies when the condition holds, like an unconditional event', () => {
    const record = { ...live, recentEventIds: [] };
    expect(applyEvent(record, event({ version: 3 }, 'e1'), 20, 4)).toEqual({ kind: 'applied' });
    expect(record).toMatchObject({ state: { n: 1, m: 1 }, version: 4, lastOffset: 20, recentEventIds: ['e1'] });
  });

  it('changes nothing when it does not hold: no state, version, offset or eventId', () => {
    const record = { ...live, recentEventIds: ['e0'] };
    const before = JSON.stringify(record);
    expect(applyEvent(record, event({ version: 2 }, 'e1'), 20, 4)).toEqual({ kind: 'unmet' });
    expect(JSON.stringify(record)).toBe(before);
  });

  it('checks the eventId first: a retry of an applied conditional event is a duplicate, not unmet', () => {
    const record = { ...live, recentEventIds: [] };
    applyEvent(record, event({ version: 3 }, 'e1'), 20, 4);
    expect(applyEvent(record, event({ version: 3 }, 'e1'), 21, 4)).toEqual({ kind: 'duplicate' });
    expect(record.version).toBe(4);
  });

  it('a create-only set revives a tombstone, and a second create-only set is unmet', () => {
    const record = { ...tombstone, recentEventIds: [] };
    const create: StampedEvent = { id: 'a', op: 'set', data: { v: 1 }, ts: 5, src: 'p', condition: { absent: true } };
    expect(applyEvent(record, create, 30, 4).kind).toBe('applied');
    expect(applyEvent(record, { ...create, data: { v: 2 } }, 31, 4).kind).toBe('unmet');
    expect(record).toMatchObject({ state: { v: 1 }, version: 5, deleted: false });
  });
});

describe('a condition on an ID whose TTL passed (expired at the event\'s receive time, swept or not)', () => {
  const expiring: EntityRecord = { ...live, expiresAt: 100 };
  const at = (ts: number, condition: EventCondition): StampedEvent => ({ id: 'a', op: 'set', data: { v: 2 }, ts, src: 'p', condition });

  it.each<[string, number, EventCondition, 'applied' | 'unmet', number]>([
    ['before the expiry, its version', 99, { version: 3 }, 'applied', 4],
    ['at the expiry, the version read before it', 100, { version: 3 }, 'unmet', 3],
    ['after the expiry, the tombstone\'s version', 150, { version: 4 }, 'applied', 5],
    ['after the expiry, absent (create only)', 150, { absent: true }, 'applied', 5],
    ['after the expiry, present (update only)', 150, { present: true }, 'unmet', 3],
  ])('%s -> %s', (_name, ts, condition, kind, version) => {
    const record = { ...expiring, recentEventIds: [] };
    expect(applyEvent(record, at(ts, condition), 20, 4).kind).toBe(kind);
    // Applied after the expiry: the tombstone and the write are a version each. Unmet: untouched (the sweep takes it).
    expect(record.version).toBe(version);
  });
});

describe('verdictOf: what applying the event did, as its verdict', () => {
  it.each<[Parameters<typeof verdictOf>[0], object]>([
    ['applied', { outcome: 'applied', seenVersion: 4 }],
    ['duplicate', { outcome: 'applied', seenVersion: 4, duplicate: true }],
    ['unmet', { outcome: 'rejected', seenVersion: 4, reason: 'condition' }],
  ])('%s -> %j', (kind, verdict) => {
    expect(verdictOf(kind, 4)).toEqual(verdict);
  });
});
