import type { ChangeOp, JsonObject, StampedEvent } from '../event-contract/change-event';
import { applyEvent } from './apply-event';
import { type EntityRecord, emptyRecord } from './entity-record';
import type { ParkedAction, ParkedEvent, ParkedPlan } from './parked-ids';
import { PartitionBuffer } from './partition-buffer';

const P = 1;
let ts = 1_700_000_000_000;
const ev = (id: string, op: ChangeOp, data?: JsonObject): StampedEvent => ({ id, op, ts: ts++, src: 'p', ...(data ? { data } : {}) });
const overflow = (id: string): StampedEvent => ev(id, 'incr', { n: Number.MAX_SAFE_INTEGER });
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** Folds every step at consecutive offsets; a step `{ release }` is an operator's control record. */
type Step = StampedEvent | { release: string; action: ParkedAction };

/**
 * Folds and flushes into `rows` and a parked store as PARKED_EVENTS would hold it; with
 * `maxHeldParkedEvents`, committed parked events leave memory and releases load them from the store.
 */
function run(steps: Step[], flushEvery = 1, maxHeldParkedEvents?: number): { buffer: PartitionBuffer; rows: Map<string, EntityRecord>; store: Map<string, ParkedEvent[]> } {
  const buffer = new PartitionBuffer({ partition: P, nextOffset: 0, dedupeWindow: 8, maxCachedIds: 2, maxHeldParkedEvents });
  const rows = new Map<string, EntityRecord>();
  const store = new Map<string, ParkedEvent[]>();
  steps.forEach((step, i) => {
    if ('release' in step) buffer.releaseParked(step.release, step.action, buffer.nextOffset);
    else buffer.fold(step, buffer.nextOffset);
    if ((i + 1) % flushEvery === 0 || i === steps.length - 1) {
      const spilled = buffer.spilledReleases(buffer.pendingIds());
      buffer.resolvePending(new Map([...rows].map(([id, r]) => [id, json(r) as EntityRecord])), undefined, new Map(spilled.map((id) => [id, json(store.get(id)) as ParkedEvent[]])));
      const plan = buffer.flushPlan();
      for (const record of plan.records) rows.set(record.id, json(record) as EntityRecord);
      writeParked(store, plan.parked);
      buffer.markCommitted(plan);
    }
  });
  return { buffer, rows, store };
}

/** What parked-statement.ts does to PARKED_EVENTS. */
function writeParked(store: Map<string, ParkedEvent[]>, plan: ParkedPlan): void {
  for (const id of [...plan.cleared, ...plan.removed]) store.delete(id);
  for (const { id, ...parked } of plan.events) store.set(id, [...(store.get(id) ?? []), json(parked) as ParkedEvent]);
}

/** The reference: each ID's events applied once in order, the ones named left out. */
function reference(steps: Step[], leftOut: Set<number>): Map<string, EntityRecord> {
  const rows = new Map<string, EntityRecord>();
  steps.forEach((step, offset) => {
    if ('release' in step || leftOut.has(offset)) return;
    const row = rows.get(step.id) ?? emptyRecord(step.id, P);
    if (applyEvent(row, step, offset, 8).kind === 'applied') rows.set(step.id, row);
  });
  return new Map([...rows].map(([id, r]) => [id, json(r) as EntityRecord]));
}

describe('PartitionBuffer parking', () => {
  it.each([1, 3, 100])('parks an ID at its refused event, keeps its later events, and lets the other IDs flow on (flush every %i)', (flushEvery) => {
    const steps: Step[] = [ev('x', 'incr', { n: 1 }), ev('y', 'set', { a: 1 }), overflow('x'), ev('x', 'incr', { n: 2 }), ev('y', 'merge', { b: 2 }), ev('x', 'set', { z: 1 })];
    const { buffer, rows } = run(steps, flushEvery);
    expect(rows.get('x')).toMatchObject({ state: { n: 1 }, version: 1 });
    expect(rows.get('y')).toMatchObject({ state: { a: 1, b: 2 }, version: 2 });
    expect(buffer.parked.get('x')).toMatchObject({ reason: expect.stringContaining('safe number range'), refusedOffset: 2, events: [{ offset: 2 }, { offset: 3 }, { offset: 5 }] });
    expect(buffer.parked.count).toBe(1);
  });

  it.each<[ParkedAction, number[]]>([
    ['skip-refused', [2]],
    ['discard', [2, 3, 5, 7]],
  ])('%s: the result equals the reference fold without the discarded events, with later events after the release', (action, leftOut) => {
    const steps: Step[] = [ev('x', 'incr', { n: 1 }), ev('y', 'set', { a: 1 }), overflow('x'), ev('x', 'incr', { n: 2 }), ev('y', 'merge', { b: 2 }), ev('x', 'merge', { z: 1 }), ev('w', 'set', {}), ev('x', 'incr', { n: 5 }), { release: 'x', action }, ev('x', 'incr', { n: 10 })];
    for (const flushEvery of [1, 4, 100]) {
      for (const maxHeld of [undefined, 0, 1]) {
        const { buffer, rows, store } = run(steps, flushEvery, maxHeld);
        expect(buffer.parked.count).toBe(0);
        expect(store.size).toBe(0);
        expect(json([...rows.values()])).toEqual(json([...reference(steps, new Set(leftOut)).values()]));
      }
    }
  });

  it('over PARKED_MAX_HELD_EVENTS, committed parked events leave memory (the store keeps them); a release loads them back', () => {
    const steps: Step[] = [ev('x', 'incr', { n: 1 }), overflow('x'), ev('x', 'incr', { n: 2 }), ev('y', 'incr', { n: 1 }), overflow('y'), ev('x', 'incr', { n: 3 })];
    const { buffer, rows, store } = run(steps, 1, 1);
    // x's 1 and 2 were spilled when y's came over the bound of 1, then its 5; y's refused event is the one held.
    expect(buffer.parked.heldEvents).toBe(1);
    expect(buffer.parked.get('y')).toMatchObject({ events: [{ offset: 4 }], spilled: 0 });
    expect(buffer.parked.get('x')).toMatchObject({ events: [], spilled: 3 });
    expect(store.get('x')?.map((e) => e.offset)).toEqual([1, 2, 5]);
    // A release waits for them: queued, even with the row held, until resolvePending gets the store's events.
    expect(buffer.releaseParked('x', 'replay', 6)).toEqual({ kind: 'queued' });
    expect(buffer.spilledReleases(buffer.pendingIds())).toEqual(['x']);
    buffer.resolvePending(rows, undefined, new Map());
    expect(buffer.pendingIds()).toEqual(['x']); // not given its events: it waits on
    buffer.resolvePending(rows, undefined, new Map([['x', store.get('x') as ParkedEvent[]]]));
    expect(buffer.pendingIds()).toEqual([]);
    expect(buffer.parked.get('x')).toMatchObject({ refusedOffset: 1, events: [{ offset: 1 }, { offset: 2 }, { offset: 5 }], spilled: 0 }); // replayed: refused again at 1
  });

  it('a store that does not hold what was spilled is an error, not a silent loss', () => {
    const { buffer } = run([ev('x', 'incr', { n: 1 }), overflow('x'), ev('x', 'incr', { n: 2 })], 1, 0);
    buffer.releaseParked('x', 'discard', 3);
    expect(() => buffer.resolvePending(new Map(), undefined, new Map([['x', []]]))).toThrow(/parked store holds 0 event\(s\).*spilled 2/);
  });

  it('replay of an event refused again parks the ID again with every event kept in order; the offset moves either way', () => {
    const steps: Step[] = [ev('x', 'set', { n: 1 }), overflow('x'), ev('x', 'incr', { n: 1 }), { release: 'x', action: 'replay' }, ev('x', 'incr', { n: 1 })];
    const { buffer, rows } = run(steps);
    expect(rows.get('x')).toMatchObject({ state: { n: 1 }, version: 1 });
    expect(buffer.parked.get('x')?.events.map((e) => e.offset)).toEqual([1, 2, 4]);
    expect(buffer.nextOffset).toBe(5);
  });

  it('a release of an ID that is not parked changes nothing but the offset', () => {
    const b = new PartitionBuffer({ partition: P, nextOffset: 7, dedupeWindow: 8, maxCachedIds: 10 });
    expect(b.releaseParked("nobody", "replay", 7)).toEqual({ kind: "not-parked" });
    expect(b.nextOffset).toBe(8);
    expect(() => b.releaseParked('nobody', 'replay', 7)).toThrow(RangeError);
  });

  it('IDs parked before a restart stay parked: their new events are kept, not applied', () => {
    const refused = overflow('x');
    const b = new PartitionBuffer({ partition: P, nextOffset: 10, dedupeWindow: 8, maxCachedIds: 10, parked: [{ id: 'x', reason: 'r', refusedOffset: 3, parkedAt: refused.ts, events: [{ event: refused, offset: 3 }] }] });
    b.fold(ev('x', 'set', { a: 1 }), 10);
    expect(b.pendingIds()).toEqual([]);
    const plan = b.flushPlan();
    expect(plan.records).toEqual([]);
    expect(plan.parked).toMatchObject({ cleared: [], removed: [], parked: [{ id: 'x', refusedOffset: 3 }], events: [{ id: 'x', offset: 10 }] });
  });
});
