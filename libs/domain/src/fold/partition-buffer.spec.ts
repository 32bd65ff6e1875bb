import type { ChangeOp, JsonObject, StampedEvent } from '../event-contract/change-event';
import { emptyRecord, type EntityRecord } from './entity-record';
import { PartitionBuffer } from './partition-buffer';

const P = 3;

function ev(id: string, op: ChangeOp, data?: JsonObject, eventId?: string): StampedEvent {
  const e: StampedEvent = { id, op, ts: 1_700_000_000_000, src: 'producer-a' };
  if (data !== undefined) e.data = data;
  if (eventId !== undefined) e.eventId = eventId;
  return e;
}

function buffer(nextOffset = 100, maxCachedIds = 1000): PartitionBuffer {
  return new PartitionBuffer({ partition: P, nextOffset, dedupeWindow: 4, maxCachedIds });
}

/** Folds the events at consecutive offsets from the buffer's nextOffset; returns the rejections. */
function foldAll(b: PartitionBuffer, ...events: StampedEvent[]) {
  return events.map((e) => b.fold(e, b.nextOffset)).filter((r) => r !== undefined);
}

/** Resolves pending IDs as new (no stored rows), then writes the plan. */
function flushNew(b: PartitionBuffer) {
  b.resolvePending(new Map());
  const plan = b.flushPlan();
  b.markCommitted(plan);
  return plan;
}

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
const byId = (records: EntityRecord[]) => Object.fromEntries(records.map((r) => [r.id, json(r)]));

describe('PartitionBuffer offsets', () => {
  it('folds in offset order and refuses a replay below nextOffset and a gap above it', () => {
    const b = buffer(100);
    b.fold(ev('a', 'set', { n: 1 }), 100);
    b.fold(ev('a', 'set', { n: 2 }), 101);
    expect(b.nextOffset).toBe(102);
    expect(() => b.fold(ev('a', 'set', { n: 3 }), 101)).toThrow(RangeError);
    expect(() => b.fold(ev('a', 'set', { n: 3 }), 103)).toThrow(RangeError);
    expect(() => b.skip(99)).toThrow(RangeError);
    expect(() => b.skip(105)).toThrow(RangeError);
    expect(b.nextOffset).toBe(102);
    expect(b.uncommittedEvents).toBe(2);
  });

  it('skip (a poison record) advances the offset and counts as uncommitted', () => {
    const b = buffer(7);
    b.skip(7);
    expect(b).toMatchObject({ nextOffset: 8, committedOffset: 7, uncommittedEvents: 1, hasUncommitted: true });
    const plan = b.flushPlan();
    expect(plan).toMatchObject({ records: [], nextOffset: 8, events: 1, bytes: 0, producerMarks: { changed: [], forgotten: [] }, verdicts: [] });
    b.markCommitted(plan);
    expect(b).toMatchObject({ committedOffset: 8, uncommittedEvents: 0, hasUncommitted: false });
  });

  it('acceptGap moves forward only', () => {
    const b = buffer(10);
    b.acceptGap(15);
    expect(b.nextOffset).toBe(15);
    expect(b.hasUncommitted).toBe(true);
    expect(() => b.acceptGap(15)).toThrow(RangeError);
    expect(() => b.acceptGap(12)).toThrow(RangeError);
    expect(b.nextOffset).toBe(15);
    b.fold(ev('a', 'set', {}), 15);
    expect(b.nextOffset).toBe(16);
    expect(b.pendingIds()).toEqual(['a']);
  });
});

describe('PartitionBuffer pending IDs', () => {
  it('events for IDs not held wait until resolvePending applies them in order onto the loaded row', () => {
    const b = buffer(100);
    foldAll(b, ev('a', 'incr', { n: 1 }), ev('b', 'set', { x: 1 }), ev('a', 'incr', { n: 10 }), ev('a', 'merge', { m: true }));
    expect(b.pendingIds().sort()).toEqual(['a', 'b']);
    expect(() => b.flushPlan()).toThrow(/resolvePending/);

    const stored: EntityRecord = { ...emptyRecord('a', P), state: { n: 5, keep: 'yes' }, version: 7, lastOffset: 42, recentEventIds: ['e0'] };
    expect(b.resolvePending(new Map([['a', stored]]))).toEqual([]);
    expect(b.pendingIds()).toEqual([]);

    const plan = b.flushPlan();
    expect(plan.nextOffset).toBe(104);
    expect(plan.events).toBe(4);
    expect(byId(plan.records)).toEqual({
      a: { ...json(stored) as object, state: { n: 16, keep: 'yes', m: true }, version: 10, lastOffset: 103, eventTs: 1_700_000_000_000 },
      b: { ...json(emptyRecord('b', P)) as object, state: { x: 1 }, version: 1, lastOffset: 101, eventTs: 1_700_000_000_000 },
    });
    expect(stored).toMatchObject({ state: { n: 5, keep: 'yes' }, version: 7, recentEventIds: ['e0'] }); // the loaded row is not mutated
  });

  it('a loaded tombstone is revived from an empty state', () => {
    const b = buffer(0);
    foldAll(b, ev('a', 'merge', { y: 2 }));
    b.resolvePending(new Map([['a', { ...emptyRecord('a', P), deleted: true, version: 3, lastOffset: 9 }]]));
    expect(json(b.flushPlan().records[0])).toMatchObject({ state: { y: 2 }, deleted: false, version: 4, lastOffset: 0 });
  });
});

describe('PartitionBuffer flush plans', () => {
  it('a plan holds each changed ID once, with its final state and version', () => {
    const b = buffer(0);
    foldAll(b, ev('a', 'set', { v: 0 }));
    flushNew(b);
    foldAll(b, ...Array.from({ length: 5 }, (_, i) => ev('a', 'set', { v: i + 1 })), ev('c', 'delete'));
    b.resolvePending(new Map());
    const plan = b.flushPlan();
    expect(plan.records.map((r) => r.id).sort()).toEqual(['a', 'c']);
    expect(byId(plan.records)['a']).toMatchObject({ state: { v: 5 }, version: 6, lastOffset: 5 });
    expect(byId(plan.records)['c']).toMatchObject({ state: null, deleted: true, version: 1 });
    expect(plan).toMatchObject({ nextOffset: 7, events: 6 });
  });

  it('markCommitted makes the records clean and records the committed offset', () => {
    const b = buffer(50);
    foldAll(b, ev('a', 'set', { v: 1 }), ev('b', 'set', { v: 1 }));
    expect(b.hasUncommitted).toBe(true);
    const plan = flushNew(b);
    expect(plan.records).toHaveLength(2);
    expect(b).toMatchObject({ committedOffset: 52, nextOffset: 52, hasUncommitted: false, uncommittedEvents: 0 });
    expect(b.flushPlan()).toMatchObject({ records: [], nextOffset: 52, events: 0, bytes: 0, producerMarks: { changed: [], forgotten: [] }, verdicts: [] });
    expect(b.peek('a')?.state).toEqual({ v: 1 });
  });

  it('events folded between flushPlan and markCommitted stay uncommitted and appear in the next plan', () => {
    const b = buffer(0);
    foldAll(b, ev('a', 'incr', { n: 1 }), ev('b', 'incr', { n: 1 }));
    b.resolvePending(new Map());
    const plan = b.flushPlan();
    const written = json(plan.records); // what the writer stores
    foldAll(b, ev('a', 'incr', { n: 1 }));
    expect(json(plan.records)).toEqual(written); // the plan is not changed by later folds
    b.markCommitted(plan);

    expect(b).toMatchObject({ committedOffset: 2, nextOffset: 3, hasUncommitted: true, uncommittedEvents: 1 });
    const next = b.flushPlan();
    expect(next).toMatchObject({ nextOffset: 3, events: 1 });
    expect(next.records.map((r) => json(r))).toEqual([expect.objectContaining({ id: 'a', state: { n: 2 }, version: 2, lastOffset: 2 })]);
  });
});

describe('PartitionBuffer bounds', () => {
  it('counts uncommitted bytes and IDs until a commit frees them', () => {
    const b = buffer(0);
    b.fold(ev('a', 'incr', { n: 1 }), 0, 100);
    b.fold(ev('b', 'incr', { n: 1 }), 1, 50);
    b.skip(2, 7);
    expect(b).toMatchObject({ uncommittedBytes: 157, uncommittedIds: 2 }); // both waiting for their rows
    b.resolvePending(new Map());
    expect(b.uncommittedIds).toBe(2); // now dirty in memory
    const plan = b.flushPlan();
    b.fold(ev('a', 'incr', { n: 1 }), 3, 30); // folded while the plan is being written
    b.markCommitted(plan);
    expect(b).toMatchObject({ uncommittedBytes: 30, uncommittedIds: 1 });
  });
});

describe('PartitionBuffer cache', () => {
  it('keeps at most maxCachedIds clean records; an evicted ID goes back to pending', () => {
    const b = buffer(0, 2);
    foldAll(b, ...['a', 'b', 'c', 'd', 'e'].map((id) => ev(id, 'set', { id })));
    flushNew(b);
    expect(b.cachedIds).toBe(2);
    expect(b.peek('a')).toBeUndefined();
    expect(b.peek('e')?.state).toEqual({ id: 'e' });

    foldAll(b, ev('a', 'merge', { more: 1 }), ev('e', 'merge', { more: 1 }));
    expect(b.pendingIds()).toEqual(['a']);
    const rows = new Map([['a', { ...emptyRecord('a', P), state: { id: 'a' }, version: 1, lastOffset: 0 }]]);
    b.resolvePending(rows);
    expect(byId(b.flushPlan().records)).toMatchObject({ a: { state: { id: 'a', more: 1 }, version: 2 }, e: { state: { id: 'e', more: 1 }, version: 2 } });
  });

  it('never evicts a dirty record', () => {
    const b = buffer(0, 1);
    foldAll(b, ev('a', 'set', { v: 1 }), ev('b', 'set', { v: 1 }), ev('c', 'set', { v: 1 }));
    b.resolvePending(new Map());
    const plan = b.flushPlan();
    foldAll(b, ev('a', 'set', { v: 2 }), ev('b', 'set', { v: 2 }));
    b.markCommitted(plan);
    expect(b.peek('a')?.state).toEqual({ v: 2 });
    expect(b.peek('b')?.state).toEqual({ v: 2 });
    expect(b.pendingIds()).toEqual([]);
    b.markCommitted(b.flushPlan());
    expect(b.cachedIds).toBe(1);
  });
});

describe('PartitionBuffer duplicates and rejections', () => {
  it('a duplicate eventId is counted and does not change the record', () => {
    const b = buffer(0);
    foldAll(b, ev('a', 'incr', { n: 1 }, 'e1'));
    b.resolvePending(new Map());
    foldAll(b, ev('a', 'incr', { n: 1 }, 'e1'), ev('a', 'incr', { n: 1 }, 'e1'));
    expect(b.duplicates).toBe(2);
    const plan = b.flushPlan();
    expect(plan).toMatchObject({ nextOffset: 3, events: 3 });
    expect(json(plan.records)).toEqual([expect.objectContaining({ state: { n: 1 }, version: 1, lastOffset: 0, recentEventIds: ['e1'] })]);
  });

  it('a duplicate of a stored eventId waiting in pending is counted on resolve', () => {
    const b = buffer(0);
    foldAll(b, ev('a', 'set', { v: 9 }, 'old'));
    b.resolvePending(new Map([['a', { ...emptyRecord('a', P), state: { v: 1 }, version: 1, recentEventIds: ['old'] }]]));
    expect(b.duplicates).toBe(1);
    expect(b.flushPlan().records).toEqual([]);
    expect(b.peek('a')?.state).toEqual({ v: 1 });
  });

  const overflow = ev('a', 'incr', { n: Number.MAX_SAFE_INTEGER });

  it('a rejected apply on a held ID is returned and leaves the state unchanged', () => {
    const b = buffer(0);
    foldAll(b, ev('a', 'set', { n: 1 }));
    b.markCommitted((b.resolvePending(new Map()), b.flushPlan()));
    const rejection = b.fold(overflow, 1);
    expect(rejection).toEqual({ event: overflow, offset: 1, reason: expect.stringContaining('safe number range') });
    expect(b.peek('a')).toMatchObject({ state: { n: 1 }, version: 1 });
    expect(b).toMatchObject({ nextOffset: 2, uncommittedEvents: 1, hasUncommitted: true });
    expect(b.flushPlan()).toMatchObject({ records: [], nextOffset: 2, events: 1, bytes: 0, producerMarks: { changed: [], forgotten: [] }, verdicts: [] });
    expect(b.parked.get('a')).toMatchObject({ refusedOffset: 1, events: [{ event: overflow, offset: 1 }] });
  });

  it('a rejected apply on a pending ID is returned by resolvePending; the later events of the ID are parked behind it', () => {
    const b = buffer(0);
    foldAll(b, overflow, ev('a', 'incr', { m: 1 }));
    const rejected = b.resolvePending(new Map([['a', { ...emptyRecord('a', P), state: { n: 1 }, version: 1 }]]));
    expect(rejected).toEqual([{ event: overflow, offset: 0, reason: expect.stringContaining('safe number range') }]);
    expect(b.flushPlan().records).toEqual([]);
    expect(b.parked.get('a')?.events.map((e) => e.offset)).toEqual([0, 1]);
  });
});

describe('PartitionBuffer record copies', () => {
  const copy = (e: StampedEvent, seq: number): StampedEvent => ({ ...e, src: 'producer-a~1', seq });

  it('a second copy of an anonymous incr (same src and seq) moves the offset and applies nothing', () => {
    const b = buffer(0);
    foldAll(b, copy(ev('c', 'incr', { n: 1 }), 0), copy(ev('c', 'incr', { n: 2 }), 1), copy(ev('c', 'incr', { n: 1 }), 0), copy(ev('c', 'incr', { n: 2 }), 1), copy(ev('c', 'incr', { n: 4 }), 2));
    const plan = flushNew(b);
    expect(plan.records).toEqual([expect.objectContaining({ id: 'c', state: { n: 7 }, version: 3, lastOffset: 4 })]);
    expect(plan).toMatchObject({ nextOffset: 5, events: 5, producerMarks: { changed: [{ src: 'producer-a~1', seq: 2 }], forgotten: [] } });
    expect(b.copiesRefused).toBe(2);
  });

  it('a copy is refused across a restart: the next owner starts from the committed marks', () => {
    const first = buffer(0);
    foldAll(first, copy(ev('c', 'incr', { n: 1 }), 7));
    const committed = flushNew(first);
    const next = new PartitionBuffer({ partition: P, nextOffset: committed.nextOffset, dedupeWindow: 4, maxCachedIds: 10, producerMarks: committed.producerMarks.changed });
    foldAll(next, copy(ev('c', 'incr', { n: 1 }), 7), copy(ev('c', 'incr', { n: 1 }), 8));
    next.resolvePending(new Map([['c', { ...emptyRecord('c', P), state: { n: 1 }, version: 1 }]]));
    expect(next.flushPlan().records).toEqual([expect.objectContaining({ state: { n: 2 }, version: 2 })]);
    expect(next.copiesRefused).toBe(1);
  });
});

// One flush in flight per partition while the fold goes on: the plan is a snapshot, only its
// COMMIT (markCommitted) makes it clean, and a failed plan is dropped with its IDs still dirty.
describe('PartitionBuffer folding while a plan is in flight', () => {
  it('folds during the flush stay dirty on top of the committed plan, and only they go into the next one', () => {
    const b = buffer(0);
    foldAll(b, ev('a', 'incr', { n: 1 }), ev('b', 'incr', { n: 1 }));
    b.resolvePending(new Map());
    const inFlight = b.flushPlan();
    foldAll(b, ev('a', 'incr', { n: 10 }), ev('c', 'set', { x: 1 }));
    // The plan is a snapshot: the folds after it did not change what it writes.
    expect(byId(inFlight.records)).toEqual({ a: expect.objectContaining({ state: { n: 1 }, version: 1 }), b: expect.objectContaining({ state: { n: 1 }, version: 1 }) });
    expect(inFlight).toMatchObject({ nextOffset: 2, events: 2 });
    b.markCommitted(inFlight);
    expect(b).toMatchObject({ committedOffset: 2, nextOffset: 4, uncommittedEvents: 2, hasUncommitted: true, uncommittedIds: 2 });
    b.resolvePending(new Map());
    const next = b.flushPlan();
    expect(byId(next.records)).toEqual({ a: expect.objectContaining({ state: { n: 11 }, version: 2, lastOffset: 2 }), c: expect.objectContaining({ state: { x: 1 }, version: 1 }) });
    expect(next).toMatchObject({ nextOffset: 4, events: 2 });
    b.markCommitted(next);
    expect(b).toMatchObject({ committedOffset: 4, uncommittedEvents: 0, uncommittedIds: 0, hasUncommitted: false });
  });

  it('a failed flush leaves its IDs dirty: the next plan writes them again with the newer folds on top', () => {
    const b = buffer(10);
    foldAll(b, ev('a', 'incr', { n: 1 }), ev('b', 'set', { v: 1 }));
    b.resolvePending(new Map());
    const failed = b.flushPlan(); // its COMMIT fails: markCommitted is never called
    foldAll(b, ev('a', 'incr', { n: 5 }));
    expect(b).toMatchObject({ committedOffset: 10, uncommittedEvents: 3, uncommittedIds: 2 });
    const retry = b.flushPlan();
    expect(failed.nextOffset).toBe(12);
    expect(retry).toMatchObject({ nextOffset: 13, events: 3 });
    expect(byId(retry.records)).toEqual({ a: expect.objectContaining({ state: { n: 6 }, version: 2 }), b: expect.objectContaining({ state: { v: 1 }, version: 1 }) });
    b.markCommitted(retry);
    expect(b).toMatchObject({ committedOffset: 13, uncommittedEvents: 0, uncommittedIds: 0 });
  });

  it('two flushes in a row: each commit cleans only what its plan held, and a plan older than the last commit is refused', () => {
    const b = buffer(0, 1);
    foldAll(b, ev('a', 'set', { v: 1 }));
    b.resolvePending(new Map());
    const first = b.flushPlan();
    foldAll(b, ev('a', 'set', { v: 2 }), ev('b', 'set', { v: 1 }));
    b.markCommitted(first);
    // a changed after the first plan: still dirty, so the cap of 1 cached ID evicts nothing dirty.
    expect(b.peek('a')?.state).toEqual({ v: 2 });
    b.resolvePending(new Map());
    const second = b.flushPlan();
    b.markCommitted(second);
    expect(b).toMatchObject({ committedOffset: 3, uncommittedEvents: 0, uncommittedIds: 0, cachedIds: 1 });
    expect(() => b.markCommitted(first)).toThrow(RangeError);
  });

  it('an ID that starts waiting while rows load stays pending for the next round; resolutions counts the rounds', () => {
    const b = buffer(0);
    foldAll(b, ev('a', 'incr', { n: 1 }));
    const looked = b.pendingIds();
    const before = b.resolutions;
    foldAll(b, ev('b', 'incr', { n: 2 }), ev('a', 'incr', { n: 3 })); // folded while a's row loads
    b.resolvePending(new Map([['a', { ...emptyRecord('a', P), state: { n: 100 }, version: 4 }]]), looked);
    expect(b.resolutions).toBe(before + 1);
    expect(b.pendingIds()).toEqual(['b']);
    expect(b.peek('a')).toMatchObject({ state: { n: 104 }, version: 6 });
    expect(() => b.flushPlan()).toThrow(/resolvePending/);
    b.resolvePending(new Map([['b', { ...emptyRecord('b', P), state: { n: 40 }, version: 1 }]]));
    expect(byId(b.flushPlan().records)['b']).toMatchObject({ state: { n: 42 }, version: 2 });
  });
});

describe('PartitionBuffer verdicts of conditional events', () => {
  const cond = (e: StampedEvent, condition: StampedEvent['condition'], seq?: number): StampedEvent => ({ ...e, condition, ...(seq === undefined ? {} : { seq }) });

  it('decides each conditional event in Kafka order, from the state the events before it left', () => {
    const b = buffer(0);
    foldAll(
      b,
      cond(ev('a', 'set', { n: 1 }), { absent: true }, 1), // 0: applied, saw 0
      cond(ev('a', 'set', { n: 2 }), { absent: true }, 2), // 1: rejected, saw 1
      cond(ev('a', 'merge', { m: 1 }), { version: 1 }, 3), // 2: applied, saw 1
      cond(ev('a', 'merge', { m: 2 }), { version: 1 }, 4), // 3: rejected (the writer that lost), saw 2
      ev('a', 'incr', { n: 1 }), // 4: unconditional: no verdict
      cond(ev('a', 'delete'), { present: true }, 5), // 5: applied, saw 3
    );
    const plan = flushNew(b);
    expect(plan.verdicts.map((v) => [v.offset, v.verdict])).toEqual([
      [0, { outcome: 'applied', seenVersion: 0 }],
      [1, { outcome: 'rejected', seenVersion: 1, reason: 'condition' }],
      [2, { outcome: 'applied', seenVersion: 1 }],
      [3, { outcome: 'rejected', seenVersion: 2, reason: 'condition' }],
      [5, { outcome: 'applied', seenVersion: 3 }],
    ]);
    expect(plan.verdicts[0]).toMatchObject({ ts: 1_700_000_000_000, src: 'producer-a', seq: 1 });
    // A rejected event changed nothing: 4 events applied, the state is the applied ones folded.
    expect(plan.records[0]).toMatchObject({ version: 4, deleted: true });
  });

  it('decides from the loaded row, like a replay after a crash: the same verdicts again', () => {
    const events = [cond(ev('a', 'merge', { m: 1 }), { version: 7 }, 1), cond(ev('a', 'merge', { m: 2 }), { version: 7 }, 2)];
    const stored: EntityRecord = { ...emptyRecord('a', P), state: { n: 0 }, version: 7, lastOffset: 9 };
    const decide = () => {
      const b = buffer(10);
      foldAll(b, ...events);
      b.resolvePending(new Map([['a', stored]]));
      return b.flushPlan().verdicts.map((v) => v.verdict);
    };
    expect(decide()).toEqual([{ outcome: 'applied', seenVersion: 7 }, { outcome: 'rejected', seenVersion: 8, reason: 'condition' }]);
    expect(decide()).toEqual(decide());
  });

  it('a second copy of a record (same src and seq) gets a copy entry, not a second decision', () => {
    const b = buffer(0);
    const first = cond(ev('a', 'set', { n: 1 }), { absent: true }, 1);
    foldAll(b, first, ev('a', 'incr', { n: 1 }), first);
    // Entries come in the order decided (the first copy waited for its row): the writer keys them by offset.
    expect(flushNew(b).verdicts.map((v) => [v.offset, v.verdict]).sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual([
      [0, { outcome: 'applied', seenVersion: 0 }],
      [2, 'copy'],
    ]);
  });

  it('an eventId retry of an applied conditional event is applied (duplicate), and changes nothing', () => {
    const b = buffer(0);
    const once = cond(ev('a', 'set', { n: 1 }, 'e1'), { version: 0 });
    foldAll(b, once, { ...once, seq: undefined });
    const plan = flushNew(b);
    expect(plan.verdicts.map((v) => v.verdict)).toEqual([{ outcome: 'applied', seenVersion: 0 }, { outcome: 'applied', seenVersion: 1, duplicate: true }]);
    expect(plan.records[0].version).toBe(1);
  });

  it('a refused conditional event parks its ID without a verdict: the replay decides it, once', () => {
    const b = buffer(0);
    const near = Number.MAX_SAFE_INTEGER - 10;
    foldAll(b, ev('a', 'set', { n: near }), cond(ev('a', 'incr', { n: 100 }), { version: 1 }, 2), cond(ev('a', 'merge', { m: 1 }), { present: true }, 3));
    // Offset 1 was refused (its ID parked), offset 2 waits behind it: neither has a verdict yet.
    expect(flushNew(b).verdicts).toEqual([]);
    // The operator skips the refused one (discarded: rejected) and replays the rest: offset 2 applies
    // now and is decided, at its own offset.
    b.releaseParked('a', 'skip-refused', b.nextOffset);
    expect(flushNew(b).verdicts.map((v) => [v.offset, v.verdict])).toEqual([
      [1, { outcome: 'rejected', seenVersion: 1, reason: 'discarded' }],
      [2, { outcome: 'applied', seenVersion: 1 }],
    ]);
  });

  it('a discarded conditional event is rejected as discarded, at the version the ID has', () => {
    const b = buffer(0);
    foldAll(b, ev('a', 'set', { n: Number.MAX_SAFE_INTEGER - 10 }), cond(ev('a', 'incr', { n: 100 }), { version: 1 }, 2), ev('a', 'merge', { m: 1 }));
    flushNew(b);
    b.releaseParked('a', 'discard', b.nextOffset);
    expect(flushNew(b).verdicts.map((v) => [v.offset, v.verdict])).toEqual([[1, { outcome: 'rejected', seenVersion: 1, reason: 'discarded' }]]);
    expect(b.peek('a')).toMatchObject({ version: 1 });
  });

  it('a release for an ID whose row is not held (a new owner, loaded parked) waits for the row: discarded events are rejected at its version', () => {
    const refused = cond(ev('a', 'incr', { n: 100 }), { version: 4 }, 2);
    const b = new PartitionBuffer({ partition: P, nextOffset: 12, dedupeWindow: 4, maxCachedIds: 1000, parked: [{ id: 'a', reason: 'overflow', refusedOffset: 10, parkedAt: 1, events: [{ event: refused, offset: 10 }, { event: ev('a', 'merge', { m: 1 }), offset: 11 }] }] });
    expect(b.releaseParked('a', 'discard', 12)).toEqual({ kind: 'queued' });
    expect(b.pendingIds()).toEqual(['a']);
    b.resolvePending(new Map([['a', { ...emptyRecord('a', P), state: { n: Number.MAX_SAFE_INTEGER - 10 }, version: 4, lastOffset: 9 }]]));
    expect(b.flushPlan().verdicts.map((v) => [v.offset, v.verdict])).toEqual([[10, { outcome: 'rejected', seenVersion: 4, reason: 'discarded' }]]);
    // A stale request (another refused offset) changes nothing and waits for nothing.
    const c = new PartitionBuffer({ partition: P, nextOffset: 12, dedupeWindow: 4, maxCachedIds: 1000, parked: [{ id: 'a', reason: 'overflow', refusedOffset: 10, parkedAt: 1, events: [{ event: refused, offset: 10 }] }] });
    expect(c.releaseParked('a', 'discard', 12, 0, 7)).toEqual({ kind: 'not-parked' });
    expect(c.pendingIds()).toEqual([]);
  });

  it('keeps verdicts until their plan commits: a failed plan is retaken whole by the next', () => {
    const b = buffer(0);
    foldAll(b, cond(ev('a', 'set', { n: 1 }), { absent: true }));
    b.resolvePending(new Map());
    const failed = b.flushPlan(); // its COMMIT failed: dropped
    foldAll(b, cond(ev('a', 'set', { n: 2 }), { absent: true }));
    const next = b.flushPlan();
    expect(next.verdicts.map((v) => v.offset)).toEqual([0, 1]);
    expect(failed.verdicts.map((v) => v.offset)).toEqual([0]);
    b.markCommitted(next);
    foldAll(b, cond(ev('a', 'set', { n: 3 }), { present: true }));
    expect(b.flushPlan().verdicts.map((v) => v.offset)).toEqual([2]);
  });

  it('a plan taken while folding goes on commits only its own verdicts', () => {
    const b = buffer(0);
    foldAll(b, cond(ev('a', 'set', { n: 1 }), { absent: true }));
    b.resolvePending(new Map());
    const inFlight = b.flushPlan();
    foldAll(b, cond(ev('a', 'set', { n: 2 }), { version: 1 }));
    b.markCommitted(inFlight);
    expect(b.flushPlan().verdicts.map((v) => [v.offset, v.verdict])).toEqual([[1, { outcome: 'applied', seenVersion: 1 }]]);
  });
});
