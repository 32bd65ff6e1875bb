import type { JsonObject, StampedEvent } from '@async2/domain';
import { type ObservedRow, type TopicRecord, checkHistory, formatReport } from './checker';
import type { AuditedTombstone } from './expiry-reference';
import { History, type Outcome } from './history';
import { apiEvent } from './http-client';
import type { StoredVerdictRow } from './verdict-reference';
import { WorkloadGenerator, type WorkloadOp } from './workload';

// The checker must catch a broken consumer. These histories are built by hand: a correct run,
// then the same run as a consumer that lost an event, applied one twice, or reordered two would
// have left it. (The fault scenarios run the same checker on real runs.)

const tracked = (index: number, id: string, seq: number, op: 'set' | 'merge' | 'incr', data: Record<string, number>): WorkloadOp => ({
  index,
  kind: 'tracked',
  seq,
  event: { id, op, eventId: `t-e${index}`, data },
});
const counter = (index: number, id: string, seq: number, amount: number): WorkloadOp => ({
  index,
  kind: 'counter',
  seq,
  counter: { field: 'c0', amount },
  event: { id, op: 'incr', data: { c0: amount } },
});
const stamped = (op: WorkloadOp): StampedEvent => ({ ...op.event, ts: 1, src: 'p' });

/** Three tracked events on doc-a and three counter events on counter-x, all acknowledged. */
function cleanRun() {
  const ops = [
    tracked(0, 'doc-a', 1, 'set', { v: 1 }),
    counter(1, 'counter-x', 1, 1),
    tracked(2, 'doc-a', 2, 'incr', { v: 2 }),
    counter(3, 'counter-x', 2, 2),
    tracked(4, 'doc-a', 3, 'merge', { w: 7 }),
    counter(5, 'counter-x', 3, 4),
  ];
  const history = new History();
  const topic: TopicRecord[] = ops.map((op, offset) => ({ partition: 0, offset, event: stamped(op) }));
  ops.forEach((op, offset) => history.record(op, { type: 'ok', partition: 0, offset }));
  const rows = new Map<string, ObservedRow>([
    ['doc-a', { version: 3, state: { v: 3, w: 7 }, deleted: false, recentEventIds: ['t-e0', 't-e2', 't-e4'] }],
    ['counter-x', { version: 3, state: { c0: 7 }, deleted: false, recentEventIds: [] }],
  ]);
  return { ops, history, topic, rows };
}

describe('checkHistory', () => {
  it('passes a correct run', () => {
    const { history, topic, rows } = cleanRun();
    const report = checkHistory({ attempts: history.attempts, rows, topic });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, acked: 6, applied: 6, lost: 0, duplicated: 0, reordered: 0 });
    expect(formatReport(report)).toContain('lost=0 duplicated=0 reordered=0');
  });

  it('fails a run with a lost and a duplicated event (a broken consumer)', () => {
    const { history, topic, rows } = cleanRun();
    // doc-a lost t-e2; counter-x got amount 2 twice (2 + 2 = 4 sets bit 2, a carry) and lost amount 4.
    rows.set('doc-a', { version: 2, state: { v: 1, w: 7 }, deleted: false, recentEventIds: ['t-e0', 't-e4'] });
    rows.set('counter-x', { version: 3, state: { c0: 1 + 2 + 2 }, deleted: false, recentEventIds: [] });
    const report = checkHistory({ attempts: history.attempts, rows, topic });
    expect(report.ok).toBe(false);
    expect(report.lost).toBe(2); // t-e2 on doc-a, and amount 2 or 4 on counter-x as the bits read
    expect(report.duplicated).toBeGreaterThanOrEqual(1);
    expect(formatReport(report)).not.toContain('lost=0 duplicated=0');
  });

  it('counts a tracked event applied twice as duplicated', () => {
    const { history, topic, rows } = cleanRun();
    rows.set('doc-a', { version: 4, state: { v: 5, w: 7 }, deleted: false, recentEventIds: ['t-e0', 't-e2', 't-e2', 't-e4'] });
    const report = checkHistory({ attempts: history.attempts, rows, topic });
    expect(report).toMatchObject({ ok: false, duplicated: 1, lost: 0 });
  });

  it('counts events applied out of Kafka order as reordered', () => {
    const { history, topic, rows } = cleanRun();
    rows.set('doc-a', { version: 3, state: { v: 3, w: 7 }, deleted: false, recentEventIds: ['t-e0', 't-e4', 't-e2'] });
    const report = checkHistory({ attempts: history.attempts, rows, topic });
    expect(report).toMatchObject({ ok: false, reordered: 1 });
  });

  it('bounds counters by sum(ok) and sum(ok) + sum(info), and never allows a refused event', () => {
    const { ops, topic, rows } = cleanRun();
    const history = new History();
    const outcomes: Outcome[] = [
      { type: 'ok', partition: 0, offset: 0 },
      { type: 'ok', partition: 0, offset: 1 },
      { type: 'ok', partition: 0, offset: 2 },
      { type: 'info', reason: 'timeout' },
      { type: 'ok', partition: 0, offset: 4 },
      { type: 'fail', status: 400, message: 'refused' },
    ];
    ops.forEach((op, i) => history.record(op, outcomes[i]));
    // 1 (ok) + 2 (info: may apply) + 4 (refused: must not)
    const report = checkHistory({ attempts: history.attempts, rows, topic });
    expect(report).toMatchObject({ ok: false, countersOutOfRange: 1, phantoms: 1, acked: 4, info: 1, failed: 1 });

    rows.set('counter-x', { version: 1, state: { c0: 1 }, deleted: false, recentEventIds: [] }); // the info event not applied: fine
    expect(checkHistory({ attempts: history.attempts, rows, topic }).ok).toBe(true);
  });

  it('flags an acknowledged position that does not hold the event', () => {
    const { history, topic, rows } = cleanRun();
    topic.splice(3, 1); // offset 3 missing from Kafka although it was acknowledged
    const report = checkHistory({ attempts: history.attempts, rows, topic });
    expect(report).toMatchObject({ ok: false, ackMismatches: 1 });
  });

  it('flags a history it cannot verify instead of passing it', () => {
    const { history, topic, rows } = cleanRun();
    rows.set('doc-a', { version: 3, state: { v: 3, w: 7 }, deleted: false, recentEventIds: ['t-e2', 't-e4'] }); // window of 2
    expect(checkHistory({ attempts: history.attempts, rows, topic })).toMatchObject({ ok: false, unverifiable: 1 });
  });
});

describe('checkHistory on the per-field ops', () => {
  // doc-b: append with keepLast 2, then addToSet, max and removeFromSet; its history folds to the state below.
  const ops: WorkloadOp[] = [
    { index: 0, kind: 'tracked', seq: 1, event: { id: 'doc-b', op: 'append', eventId: 'b-e0', data: { log: [1, 2, 3] }, keepLast: 2 } },
    { index: 1, kind: 'tracked', seq: 2, event: { id: 'doc-b', op: 'addToSet', eventId: 'b-e1', data: { tags: ['z', 'a', 2] } } },
    { index: 2, kind: 'tracked', seq: 3, event: { id: 'doc-b', op: 'max', eventId: 'b-e2', data: { hi: -4 } } },
    { index: 3, kind: 'tracked', seq: 4, event: { id: 'doc-b', op: 'removeFromSet', eventId: 'b-e3', data: { tags: ['z'] } } },
  ];
  const run = (state: JsonObject) => {
    const history = new History();
    ops.forEach((op, offset) => history.record(op, { type: 'ok', partition: 0, offset }));
    const topic: TopicRecord[] = ops.map((op, offset) => ({ partition: 0, offset, event: stamped(op) }));
    const rows = new Map<string, ObservedRow>([['doc-b', { version: 4, state, deleted: false, recentEventIds: ['b-e0', 'b-e1', 'b-e2', 'b-e3'] }]]);
    return checkHistory({ attempts: history.attempts, rows, topic });
  };

  it('folds event times like the consumer: an older timed set loses to a newer one that came first in Kafka', () => {
    const timedOps: WorkloadOp[] = [
      { index: 0, kind: 'tracked', seq: 1, event: { id: 'doc-c', op: 'set', eventId: 'c-e0', data: { v: 'new' }, eventTime: 2000 } },
      { index: 1, kind: 'tracked', seq: 2, event: { id: 'doc-c', op: 'set', eventId: 'c-e1', data: { v: 'old' }, eventTime: 1000 } },
    ];
    const history = new History();
    timedOps.forEach((op, offset) => history.record(op, { type: 'ok', partition: 0, offset }));
    const topic: TopicRecord[] = timedOps.map((op, offset) => ({ partition: 0, offset, event: stamped(op) }));
    const rows = (v: string) => new Map<string, ObservedRow>([['doc-c', { version: 2, state: { v }, deleted: false, recentEventIds: ['c-e0', 'c-e1'] }]]);
    expect(checkHistory({ attempts: history.attempts, rows: rows('new'), topic })).toMatchObject({ ok: true });
    expect(checkHistory({ attempts: history.attempts, rows: rows('old'), topic })).toMatchObject({ ok: false, stateMismatches: 1 });
  });

  it('passes the state the ops fold to', () => {
    expect(run({ log: [2, 3], tags: [2, 'a'], hi: -4 })).toMatchObject({ ok: true, stateMismatches: 0 });
  });

  it.each([
    ['an append not trimmed to keepLast', { log: [1, 2, 3], tags: [2, 'a'], hi: -4 }],
    ['a set out of order', { log: [2, 3], tags: ['a', 2], hi: -4 }],
    ['max treating a missing field as 0', { log: [2, 3], tags: [2, 'a'], hi: 0 }],
  ])('flags %s as a state mismatch', (_name, state: JsonObject) => {
    expect(run(state)).toMatchObject({ ok: false, stateMismatches: 1 });
  });
});

describe('WorkloadGenerator', () => {
  it('is deterministic for a seed, with unique eventIds and distinct counter amounts per field', () => {
    const run = (seed: number) => {
      const g = new WorkloadGenerator({ seed, trackedIds: 2, counterIds: 2, tag: 'g' });
      return Array.from({ length: 400 }, () => g.next());
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    const eventIds = a.filter((o) => o.kind === 'tracked').map((o) => o.event.eventId);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    const amounts = a.filter((o) => o.kind === 'counter').map((o) => `${o.event.id}.${o.counter!.field}=${o.counter!.amount}`);
    expect(new Set(amounts).size).toBe(amounts.length);
    expect(a.some((o) => o.kind === 'counter' && o.counter!.field === 'c1')).toBe(true); // rolls over to a new field past 50 bits
    const ops = new Set(a.filter((o) => o.kind === 'tracked').map((o) => o.event.op));
    expect([...ops].sort()).toEqual(['addToSet', 'append', 'delete', 'incr', 'max', 'merge', 'min', 'removeFromSet', 'set']);
    expect(a.filter((o) => o.event.eventTime !== undefined).map((o) => o.event.op)).toEqual(expect.arrayContaining(['set', 'merge']));
    const conditions = a.filter((o) => o.event.condition !== undefined);
    expect(conditions.every((o) => o.kind === 'tracked')).toBe(true);
    expect(new Set(conditions.map((o) => Object.keys(o.event.condition!)[0]))).toEqual(new Set(['version', 'absent', 'present']));
  });
});

describe('WorkloadGenerator with TTL IDs', () => {
  it('writes a share of the events to TTL IDs with short ttlMs (never on delete) and conditions of each kind, and leaves the other draws alone without them', () => {
    const ops = (ttlIds?: number) => {
      const g = new WorkloadGenerator({ seed: 11, trackedIds: 5, counterIds: 2, tag: 'g', ttlIds });
      return Array.from({ length: 2000 }, () => g.next());
    };
    expect(ops(0)).toEqual(ops(undefined));
    const ttl = ops(4).filter((o) => o.kind === 'ttl');
    expect(ttl.length).toBeGreaterThan(120);
    expect(ttl.length).toBeLessThan(280);
    expect(new Set(ttl.map((o) => o.event.id)).size).toBe(4);
    expect(ttl.filter((o) => o.event.ttlMs !== undefined).length).toBeGreaterThan(ttl.length / 3);
    expect(ttl.every((o) => o.event.ttlMs === undefined || (o.event.op !== 'delete' && o.event.ttlMs >= 100 && o.event.ttlMs <= 2000))).toBe(true);
    expect(new Set(ttl.filter((o) => o.event.condition).map((o) => Object.keys(o.event.condition!)[0]))).toEqual(new Set(['version', 'absent', 'present']));
    expect(new Set(ttl.map((o) => o.event.op))).toEqual(new Set(['set', 'merge', 'incr', 'delete']));
  });
});

describe('apiEvent', () => {
  it('sends the event time as ts, the API field, and nothing else changes', () => {
    expect(apiEvent({ id: 'a', op: 'merge', data: { x: 1 }, eventId: 'e', eventTime: 5 })).toEqual({ id: 'a', op: 'merge', data: { x: 1 }, eventId: 'e', ts: 5 });
    expect(apiEvent({ id: 'a', op: 'delete' })).toEqual({ id: 'a', op: 'delete' });
    expect(apiEvent({ id: 'a', op: 'delete', condition: { version: 3 } })).toEqual({ id: 'a', op: 'delete', if: { version: 3 } });
  });
});

describe('checkHistory on conditional events and their verdicts', () => {
  // doc-c: a create-only set (applied), two writers that read version 1 (the first applies, the
  // second is rejected), and a second copy of the first writer's record (it answers with its verdict).
  const ops: WorkloadOp[] = [
    { index: 0, kind: 'tracked', seq: 1, event: { id: 'doc-c', op: 'set', eventId: 'c-e0', data: { v: 1 }, condition: { absent: true } } },
    { index: 1, kind: 'tracked', seq: 2, event: { id: 'doc-c', op: 'merge', eventId: 'c-e1', data: { w: 1 }, condition: { version: 1 } } },
    { index: 2, kind: 'tracked', seq: 3, event: { id: 'doc-c', op: 'merge', eventId: 'c-e2', data: { w: 2 }, condition: { version: 1 } } },
  ];
  const topic: TopicRecord[] = [
    ...ops.map((op, offset) => ({ partition: 0, offset, event: { ...op.event, ts: 1, src: 'p', seq: offset } })),
    { partition: 0, offset: 3, event: { ...ops[1].event, ts: 1, src: 'p', seq: 1 } },
  ];
  const verdictRow = (offset: number, outcome: StoredVerdictRow['outcome'], seenVersion: number | null, seq: number): StoredVerdictRow => ({ partition: 0, offset, outcome, seenVersion, duplicate: false, src: 'p', seq });
  const goodVerdicts = () => [verdictRow(0, 'applied', 0, 0), verdictRow(1, 'applied', 1, 1), verdictRow(2, 'rejected', 2, 2), verdictRow(3, 'copy', null, 1)];
  const rows = new Map<string, ObservedRow>([['doc-c', { version: 2, state: { v: 1, w: 1 }, deleted: false, recentEventIds: ['c-e0', 'c-e1'] }]]);
  const run = (final: StoredVerdictRow[], acked = [0, 3, 2], firstSeen?: Map<string, { outcome: 'applied' | 'rejected'; seenVersion: number; duplicate: boolean }>, observed = rows) => {
    const history = new History();
    ops.forEach((op, i) => history.record(op, { type: 'ok', partition: 0, offset: acked[i] }));
    return checkHistory({ attempts: history.attempts, rows: observed, topic, verdicts: { final, firstSeen } });
  };

  it('passes verdicts equal to the reference fold, a copy answering with its first copy\'s, and a rejected event not applied', () => {
    const report = run(goodVerdicts());
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, lost: 0, verdicts: 3, verdictMismatches: 0 });
    expect(formatReport(report)).toContain('verdicts=3 verdict-mismatch=0');
  });

  it('flags a missing verdict and one unlike the reference', () => {
    const missing = goodVerdicts().filter((v) => v.offset !== 2);
    expect(run(missing)).toMatchObject({ ok: false, verdictMismatches: 1 });
    const wrong = goodVerdicts().map((v) => (v.offset === 0 ? { ...v, seenVersion: 1 } : v));
    expect(run(wrong)).toMatchObject({ ok: false, verdictMismatches: 1 });
    // The acknowledged copy at 3 answers with offset 1's verdict: a wrong one there shows at 3.
    const wrongFirstCopy = goodVerdicts().map((v) => (v.offset === 1 ? { ...v, outcome: 'rejected' as const } : v));
    expect(run(wrongFirstCopy).problems).toEqual([expect.stringContaining('at 0:3 has verdict {"outcome":"rejected"')]);
  });

  it('flags a verdict that changed during the run, even when the end agrees with the reference', () => {
    const firstSeen = new Map([['0:2', { outcome: 'applied' as const, seenVersion: 1, duplicate: false }]]);
    expect(run(goodVerdicts(), undefined, firstSeen)).toMatchObject({ ok: false, verdictMismatches: 1 });
  });

  it('orders a retried conditional event by the copy that applied, not by its rejected first copy', () => {
    // doc-r: an update-only merge whose first attempt had an unknown outcome (503): that copy came
    // before the create and was rejected; its retry (same eventId) came after it and applied.
    const create: WorkloadOp = { index: 10, kind: 'tracked', seq: 2, event: { id: 'doc-r', op: 'set', eventId: 'r-e10', data: { v: 1 } } };
    const update: WorkloadOp = { index: 11, kind: 'tracked', seq: 1, event: { id: 'doc-r', op: 'merge', eventId: 'r-e11', data: { w: 1 }, condition: { present: true } } };
    const topicR: TopicRecord[] = [
      { partition: 0, offset: 0, event: { ...update.event, ts: 1, src: 'p', seq: 0 } }, // rejected: nothing there yet
      { partition: 0, offset: 1, event: { ...create.event, ts: 1, src: 'p', seq: 1 } },
      { partition: 0, offset: 2, event: { ...update.event, ts: 1, src: 'p', seq: 2 } }, // the retry: applied
    ];
    const history = new History();
    history.record(update, { type: 'info', reason: 'HTTP 503' });
    history.record(create, { type: 'ok', partition: 0, offset: 1 });
    history.record(update, { type: 'ok', partition: 0, offset: 2 });
    const observed = new Map<string, ObservedRow>([['doc-r', { version: 2, state: { v: 1, w: 1 }, deleted: false, recentEventIds: ['r-e10', 'r-e11'] }]]);
    const final: StoredVerdictRow[] = [
      { partition: 0, offset: 0, outcome: 'rejected', seenVersion: 0, duplicate: false, src: 'p', seq: 0 },
      { partition: 0, offset: 2, outcome: 'applied', seenVersion: 1, duplicate: false, src: 'p', seq: 2 },
    ];
    const report = checkHistory({ attempts: history.attempts, rows: observed, topic: topicR, verdicts: { final } });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, reordered: 0, verdicts: 1 });
  });

  it('flags a conditional event applied although the reference rejects it, and does not call a rejected one lost', () => {
    const applied = new Map<string, ObservedRow>([['doc-c', { version: 3, state: { v: 1, w: 2 }, deleted: false, recentEventIds: ['c-e0', 'c-e1', 'c-e2'] }]]);
    expect(run(goodVerdicts(), undefined, undefined, applied)).toMatchObject({ ok: false, lost: 0, verdictMismatches: 1 });
  });
});

describe('checkHistory on TTL IDs (the reference fold with expiry)', () => {
  // ttl-a: a set with ttlMs (expires at 2000), an update-only merge before the expiry (applied), a
  // create-only set received after it (the expiry found by the write: absent, one version more),
  // an incr with a new ttlMs (expires at 3500), then swept after the last write.
  // ttl-b: a set expiring at 2000, swept by a flush up to offset 5 (the consumer lagged), before it
  // folded an update-only merge received at 1900: the merge finds the tombstone and is rejected.
  const ttlOp = (index: number, id: string, event: Omit<WorkloadOp['event'], 'id' | 'eventId'>): WorkloadOp => ({ index, kind: 'ttl', seq: index + 1, event: { ...event, id, eventId: `x-e${index}` } as WorkloadOp['event'] });
  const ops = [
    ttlOp(0, 'ttl-a', { op: 'set', data: { v: 1 }, ttlMs: 1000 }),
    ttlOp(1, 'ttl-a', { op: 'merge', data: { w: 1 }, condition: { present: true } }),
    ttlOp(2, 'ttl-a', { op: 'set', data: { v: 3 }, condition: { absent: true } }),
    ttlOp(3, 'ttl-a', { op: 'incr', data: { n: 1 }, ttlMs: 500 }),
    ttlOp(4, 'ttl-b', { op: 'set', data: { x: 1 }, ttlMs: 1000 }),
    ttlOp(5, 'ttl-b', { op: 'merge', data: { y: 1 }, condition: { present: true } }),
  ];
  const receivedAt = [1000, 1500, 2500, 3000, 1000, 1900];
  const topic: TopicRecord[] = ops.map((op, offset) => ({ partition: 0, offset, event: { ...op.event, ts: receivedAt[offset], src: 'p' } }));
  const sweepOf = (id: string, version: number, lastOffset: number, boundary: number, eventTs: number, txStart: number, order: number): AuditedTombstone => ({ partition: 0, boundary, order, id, version, lastOffset, eventTs, txStart });
  const goodSweeps = () => [sweepOf('ttl-b', 2, 4, 5, 2000, 2100, 1), sweepOf('ttl-a', 6, 3, 6, 3500, 3600, 2)];
  const verdict = (offset: number, outcome: 'applied' | 'rejected', seenVersion: number): StoredVerdictRow => ({ partition: 0, offset, outcome, seenVersion, duplicate: false, src: 'p', seq: null });
  const goodVerdicts = () => [verdict(1, 'applied', 1), verdict(2, 'applied', 3), verdict(5, 'rejected', 2)];
  const goodRows = () =>
    new Map<string, ObservedRow>([
      ['ttl-a', { version: 6, state: null, deleted: true, recentEventIds: ['x-e0', 'x-e1', 'x-e2', 'x-e3'] }],
      ['ttl-b', { version: 2, state: null, deleted: true, recentEventIds: ['x-e4'] }],
    ]);
  const run = ({ rows = goodRows(), sweeps = goodSweeps(), final = goodVerdicts(), expiries = new Map<string, number>() } = {}) => {
    const history = new History();
    ops.forEach((op, offset) => history.record(op, { type: 'ok', partition: 0, offset }));
    return checkHistory({ attempts: history.attempts, rows, topic, verdicts: { final }, ttl: { tombstones: sweeps, expiries, expiredBy: 10_000 } });
  };

  it('passes a run whose expiries, sweeps (one after a lag), revival and verdicts all agree with the reference', () => {
    const report = run();
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, expired: 2, sweptAhead: 1, expiredAtWrite: 1, ttlMismatches: 0, verdicts: 3, verdictMismatches: 0, lost: 0, applied: 5 });
    expect(formatReport(report)).toContain('expired=2 swept-ahead=1 expired-at-write=1 ttl-mismatch=0');
  });

  it('flags a tombstone missing: the write that found the ID expired did not count its expiry', () => {
    // The consumer revived ttl-a at version 3 instead of 4, so the sweep and the row are one version short, and it judged the condition at version 2.
    const rows = goodRows();
    rows.set('ttl-a', { ...rows.get('ttl-a')!, version: 5 });
    const sweeps = [sweepOf('ttl-b', 2, 4, 5, 2000, 2100, 1), sweepOf('ttl-a', 5, 3, 6, 3500, 3600, 2)];
    const final = [verdict(1, 'applied', 1), verdict(2, 'applied', 2), verdict(5, 'rejected', 2)];
    const report = run({ rows, sweeps, final });
    expect(report).toMatchObject({ ok: false, verdictMismatches: 1 });
    expect(report.ttlMismatches).toBeGreaterThanOrEqual(2);
    // The sweep's tombstone one version short is no legal sweep: the reference keeps ttl-a live, so the row disagrees too.
    expect(report.problems).toEqual(expect.arrayContaining([expect.stringContaining('ttl-a written as a tombstone at version 5'), expect.stringContaining('ttl-a holds no state (deleted)')]));
  });

  it('flags a tombstone applied twice (one version too many)', () => {
    const rows = goodRows();
    rows.set('ttl-a', { ...rows.get('ttl-a')!, version: 7 });
    const sweeps = [...goodSweeps(), sweepOf('ttl-a', 7, 3, 6, 3500, 3700, 3)];
    const report = run({ rows, sweeps });
    expect(report).toMatchObject({ ok: false, ttlMismatches: 2, expired: 2 });
    expect(report.problems).toEqual(expect.arrayContaining([expect.stringContaining('ttl-a written as a tombstone at version 7'), expect.stringContaining('ttl-a has version 7')]));
  });

  it('flags an expired ID still live (never swept)', () => {
    const rows = goodRows();
    rows.set('ttl-a', { version: 5, state: { v: 3, n: 1 }, deleted: false, recentEventIds: ['x-e0', 'x-e1', 'x-e2', 'x-e3'] });
    const report = run({ rows, sweeps: goodSweeps().filter((s) => s.id !== 'ttl-a'), expiries: new Map([['ttl-a', 3500]]) });
    expect(report).toMatchObject({ ok: false, ttlMismatches: 1, expired: 1 });
    expect(report.problems).toEqual([expect.stringContaining('ttl-a expired at 3500 and is still live at 10000')]);
  });

  it('flags an expired ID revived without a write', () => {
    const rows = goodRows();
    rows.set('ttl-a', { version: 6, state: { v: 3, n: 1 }, deleted: false, recentEventIds: ['x-e0', 'x-e1', 'x-e2', 'x-e3'] });
    const report = run({ rows });
    expect(report).toMatchObject({ ok: false, ttlMismatches: 1 });
    expect(report.problems).toEqual([expect.stringContaining('ttl-a holds {"n":1,"v":3}, the reference with expiry gives deleted')]);
  });

  it('flags verdicts decided against the expiry: at the write (receive time) and after a lagging sweep', () => {
    // The create-only set judged the ID live (its expiry ignored); the merge judged before the lagging sweep.
    const final = [verdict(1, 'applied', 1), verdict(2, 'rejected', 2), verdict(5, 'applied', 1)];
    const report = run({ final });
    expect(report).toMatchObject({ ok: false, verdictMismatches: 2 });
  });

  it('flags a sweep committed before the expiry, and a tombstone where the ID was not live', () => {
    expect(run({ sweeps: [sweepOf('ttl-b', 2, 4, 5, 2000, 1990, 1), goodSweeps()[1]] })).toMatchObject({ ok: false, ttlMismatches: 1 });
    const extra = [...goodSweeps(), sweepOf('ttl-b', 3, 4, 6, 2000, 4000, 3)];
    expect(run({ sweeps: extra }).problems).toEqual([expect.stringContaining('ttl-b written as a tombstone at version 3')]);
  });

  it('calls the lagging sweep a mismatch when the audit does not show it (receive times alone would apply the merge)', () => {
    const report = run({ sweeps: goodSweeps().filter((s) => s.id !== 'ttl-b') });
    expect(report.ok).toBe(false);
    expect(report.verdictMismatches + report.ttlMismatches).toBeGreaterThan(0);
  });

  it('counts TTL IDs unverifiable without the audit instead of passing them', () => {
    const history = new History();
    ops.forEach((op, offset) => history.record(op, { type: 'ok', partition: 0, offset }));
    expect(checkHistory({ attempts: history.attempts, rows: goodRows(), topic })).toMatchObject({ ok: false, unverifiable: 2 });
  });
});

describe('checkHistory on parked IDs the operator replayed without their refused event', () => {
  // doc-p: a poison incr that applies (p was absent), a second that leaves the safe range (refused:
  // the ID parks there), a merge kept while parked, then released by `replay?skip=refused`.
  const MAX = Number.MAX_SAFE_INTEGER;
  const ops: WorkloadOp[] = [
    { index: 0, kind: 'tracked', seq: 1, event: { id: 'doc-p', op: 'incr', eventId: 'p-e0', data: { p: MAX } } },
    { index: 1, kind: 'tracked', seq: 2, event: { id: 'doc-p', op: 'incr', eventId: 'p-e1', data: { p: MAX } } },
    { index: 2, kind: 'tracked', seq: 3, event: { id: 'doc-p', op: 'merge', eventId: 'p-e2', data: { w: 1 } } },
    { index: 3, kind: 'tracked', seq: 4, event: { id: 'doc-p', op: 'merge', eventId: 'p-e3', data: { v: 2 }, condition: { version: 2 } } },
  ];
  const topic: TopicRecord[] = ops.map((op, offset) => ({ partition: 0, offset, event: { ...op.event, ts: 1, src: 'p', seq: offset } }));
  const verdict = (offset: number, seenVersion: number): StoredVerdictRow => ({ partition: 0, offset, outcome: 'applied', seenVersion, duplicate: false, src: 'p', seq: offset });
  const run = (row: ObservedRow, discarded: string[], stillParked: string[] = [], rows = [verdict(3, 2)]) => {
    const history = new History();
    ops.forEach((op, offset) => history.record(op, { type: 'ok', partition: 0, offset }));
    return checkHistory({ attempts: history.attempts, rows: new Map([['doc-p', row]]), topic, verdicts: { final: rows }, parking: { discarded: new Set(discarded), stillParked } });
  };
  const released: ObservedRow = { version: 3, state: { p: MAX, w: 1, v: 2 }, deleted: false, recentEventIds: ['p-e0', 'p-e2', 'p-e3'] };

  it('passes when the refused event is the discarded one and the rest applied once, in order', () => {
    const report = run(released, ['0:1']);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, acked: 4, applied: 3, lost: 0, parkedIds: 1, discarded: 1, parkedReordered: 0, wronglyParked: 0, verdicts: 1, verdictMismatches: 0 });
    expect(formatReport(report)).toContain('parked=1 discarded=1 parked-reordered=0 wrongly-parked=0');
  });

  it('flags an event discarded although the state at its place would have taken it', () => {
    const report = run({ version: 3, state: { p: MAX, w: 1, v: 2 }, deleted: false, recentEventIds: ['p-e1', 'p-e2', 'p-e3'] }, ['0:0'], [], [verdict(3, 2)]);
    expect(report).toMatchObject({ ok: false, wronglyParked: 1 });
    expect(report.problems.join('\n')).toMatch(/wrongly-parked: doc-p was parked at offset 0 .* \(applied\)/);
  });

  it('flags the kept events replayed out of order', () => {
    const report = run({ ...released, recentEventIds: ['p-e0', 'p-e3', 'p-e2'] }, ['0:1']);
    expect(report).toMatchObject({ ok: false, reordered: 1, parkedReordered: 1 });
  });

  it('flags an ID still parked at the end (its kept events acknowledged and not applied)', () => {
    const report = run({ version: 1, state: { p: MAX }, deleted: false, recentEventIds: ['p-e0'] }, ['0:1'], ['doc-p'], []);
    expect(report).toMatchObject({ ok: false, wronglyParked: 1, lost: 2, verdictMismatches: 1 });
  });

  it('flags a discarded event that was applied anyway, and one missing without a discard', () => {
    expect(run({ version: 4, state: { p: MAX, w: 1, v: 2 }, deleted: false, recentEventIds: ['p-e0', 'p-e1', 'p-e2', 'p-e3'] }, ['0:1'])).toMatchObject({ ok: false, phantoms: 1 });
    expect(run(released, [])).toMatchObject({ ok: false, lost: 1 });
  });

  it('expects a discarded conditional event rejected at the version its ID had, and still flags the discard when the event would have applied', () => {
    const report = run({ version: 2, state: { p: MAX, w: 1 }, deleted: false, recentEventIds: ['p-e0', 'p-e2'] }, ['0:1', '0:3'], [], [{ ...verdict(3, 2), outcome: 'rejected' }]);
    expect(report.problems).toEqual([expect.stringMatching(/wrongly-parked: doc-p was parked at offset 3 .*\(applied\)/)]);
    expect(report).toMatchObject({ verdictMismatches: 0, lost: 0 });
  });
});
