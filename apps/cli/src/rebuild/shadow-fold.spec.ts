import { DEFAULT_EVENT_LIMITS, type EntityRecord, type JsonObject, type StampedEvent, partitionForKey } from '@async2/domain';
import { encodeEventRecord, encodeParkedControl } from '@async2/data-access';
import { referenceFold } from '@async2/testing';
import { InexactParkedStateError } from './rebuild-errors';
import { type ShadowRows, ShadowFold } from './shadow-fold';

/** The shadow table in memory: what the fold wrote, read back when an ID comes again. */
class MemoryShadow implements ShadowRows {
  readonly rows = new Map<string, EntityRecord>();
  constructor(readonly partition: number) {}
  async findRecords(ids: readonly string[]): Promise<Map<string, EntityRecord>> {
    return new Map(ids.filter((id) => this.rows.has(id)).map((id) => [id, structuredClone(this.rows.get(id)!)]));
  }
  async findExpiredIds(now: number, limit: number): Promise<string[]> {
    return [...this.rows.values()].filter((r) => !r.deleted && r.expiresAt !== undefined && r.expiresAt <= now).sort((a, b) => a.expiresAt! - b.expiresAt!).slice(0, limit).map((r) => r.id);
  }
  async write(records: readonly EntityRecord[]): Promise<void> {
    for (const r of records) this.rows.set(r.id, structuredClone(r));
  }
}

const SETTINGS = { dedupeWindow: 4, producerMarks: { retentionMs: 86_400_000, maxProducers: 100 }, limits: DEFAULT_EVENT_LIMITS };
const PARTITIONS = 3;
const idsOn = (partition: number, count: number) => Array.from({ length: 200 }, (_, i) => `id-${i}`).filter((id) => partitionForKey(id, PARTITIONS) === partition).slice(0, count);

describe('ShadowFold', () => {
  it('folds like the consumer: rows equal the reference fold; poison, misplaced and second copies are skipped; marks cover what was applied', async () => {
    const ids = idsOn(1, 6);
    const events: StampedEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const id = ids[i % ids.length];
      const op = (['set', 'merge', 'incr', 'incr', 'delete'] as const)[(i * 7) % 5];
      const data: JsonObject | undefined = op === 'set' ? { n: i, name: `v${i}` } : op === 'merge' ? { extra: { i } } : op === 'incr' ? { n: 2 } : undefined;
      events.push({ id, op, ...(data ? { data } : {}), ...(i % 4 === 0 ? { eventId: `e-${i % 12}` } : {}), ts: 1_764_000_000_000 + i, src: 'p-1', seq: i });
    }
    const records = events.map((event, offset) => ({ offset, ...encodeEventRecord(event) }));
    // Offsets 60..62: undecodable, on the wrong partition, a second copy of seq 10 (a Kafka client's duplicate).
    records.push({ offset: 60, key: Buffer.from('x'), value: Buffer.from('{not json') });
    records.push({ offset: 61, ...encodeEventRecord({ id: idsOn(2, 1)[0], op: 'set', data: { a: 1 }, ts: 1_764_000_000_100, src: 'p-1', seq: 100 }) });
    records.push({ offset: 62, ...encodeEventRecord(events[10]) });
    const shadow = new MemoryShadow(1);
    const fold = new ShadowFold(shadow, 0, PARTITIONS, SETTINGS);
    for (let from = 0; from < records.length; from += 7) {
      fold.fold(records.slice(from, from + 7));
      await fold.flush(); // rows not in memory are read back from the shadow, as from the table
    }
    expect(fold.nextOffset).toBe(63);
    const expected = referenceFold(events.map((event, offset) => ({ partition: 1, offset, event })), SETTINGS.dedupeWindow);
    expect(new Map([...shadow.rows].sort())).toEqual(new Map([...expected].sort()));
    expect(fold.skipped.count).toBeGreaterThanOrEqual(2);
    expect(fold.skipped.reasons[0]).toMatch(/^offset 60: value is not UTF-8 JSON/);
    expect(fold.skipped.reasons[1]).toMatch(/^offset 61: record for id .* murmur2 puts that id on partition 2 of 3/);
    // The misplaced record (seq 100) was never applied: the mark is the last applied record's.
    expect(fold.producerMarks()).toEqual([{ src: 'p-1', seq: 59, ts: 1_764_000_000_059 }]);
  });

  it('keeps the verdicts of conditional events from the offset OPLOG had (the fenced consumer\'s uncommitted tail)', async () => {
    const [id] = idsOn(0, 1);
    const events: StampedEvent[] = [
      { id, op: 'set', data: { n: 1 }, condition: { absent: true }, ts: 1, src: 'p', seq: 0 },
      { id, op: 'set', data: { n: 2 }, condition: { absent: true }, ts: 2, src: 'p', seq: 1 },
      { id, op: 'merge', data: { m: 1 }, condition: { version: 1 }, ts: 3, src: 'p', seq: 2 },
      { id, op: 'incr', data: { n: 1 }, ts: 4, src: 'p', seq: 3 },
    ];
    const fold = new ShadowFold(new MemoryShadow(0), 0, PARTITIONS, SETTINGS, { nextOffset: 1, parked: [] });
    fold.fold(events.map((event, offset) => ({ offset, ...encodeEventRecord(event) })));
    await fold.flush();
    expect(fold.verdicts.map((v) => [v.offset, v.verdict])).toEqual([
      [1, { outcome: 'rejected', seenVersion: 1, reason: 'condition' }],
      [2, { outcome: 'applied', seenVersion: 1 }],
    ]);
  });

  it("parks an ID at a refused event like the consumer, and an operator's control record in the range releases it in order", async () => {
    const [x] = idsOn(0, 1);
    const at = (i: number, op: 'set' | 'incr', data: JsonObject): StampedEvent => ({ id: x, op, data, ts: 1_764_000_000_000 + i, src: 'p-1', seq: i });
    const control = (refusedOffset: number) => ({ ...encodeParkedControl({ id: x, action: 'skip-refused', refusedOffset, ts: 1, by: 'test' }), headers: { 'x-async2-control': Buffer.from('parked-v1') } });
    const records = [at(0, 'set', { n: Number.MAX_SAFE_INTEGER - 10 }), at(1, 'incr', { n: 100 }), at(2, 'incr', { n: 3 })].map((event, offset) => ({ offset, ...encodeEventRecord(event) }));
    const shadow = new MemoryShadow(0);
    const fold = new ShadowFold(shadow, 0, PARTITIONS, SETTINGS);
    fold.fold(records);
    await fold.flush();
    expect(fold.parkedIds).toEqual([x]);
    expect(shadow.rows.get(x)).toMatchObject({ state: { n: Number.MAX_SAFE_INTEGER - 10 }, version: 1 });
    fold.fold([{ offset: 3, ...control(1) }, { offset: 4, ...encodeEventRecord(at(4, 'incr', { n: 1 })) }]);
    await fold.flush();
    expect(fold.parkedIds).toEqual([]);
    expect(shadow.rows.get(x)).toMatchObject({ state: { n: Number.MAX_SAFE_INTEGER - 6 }, version: 3, lastOffset: 4 });
  });

  it('sweeps like the consumer: IDs expired by its clock, folded or only stored in the shadow, become tombstones; a write after an expiry revives', async () => {
    const [a, b, c, d] = idsOn(1, 4);
    const shadow = new MemoryShadow(1);
    // c: a stored row (seeded from EVENTS, no event in the range) whose expiry passed before the rebuild.
    shadow.rows.set(c, { id: c, state: { old: true }, deleted: false, version: 3, partition: 1, lastOffset: -1, eventTs: 500, recentEventIds: [], expiresAt: 1500 });
    const events: StampedEvent[] = [
      { id: a, op: 'set', data: { n: 1 }, ttlMs: 1000, ts: 1000, src: 'p', seq: 0 }, // expires at 2000
      { id: b, op: 'set', data: { n: 1 }, ttlMs: 100_000, ts: 1000, src: 'p', seq: 1 }, // expires at 101000
      { id: d, op: 'set', data: { n: 1 }, ttlMs: 1000, ts: 1000, src: 'p', seq: 2 }, // expires at 2000 ...
      { id: d, op: 'merge', data: { m: 1 }, ts: 2500, src: 'p', seq: 3 }, // ... and is revived by this write (no expiry since)
    ];
    const fold = new ShadowFold(shadow, 0, PARTITIONS, SETTINGS, { nextOffset: 0, parked: [] }, () => 5000);
    fold.fold(events.map((event, offset) => ({ offset, ...encodeEventRecord(event) })));
    await fold.sweepAll();
    expect(fold.expired).toBe(2);
    expect(shadow.rows.get(a)).toMatchObject({ deleted: true, state: null, version: 2, eventTs: 2000 });
    expect(shadow.rows.get(a)).not.toHaveProperty('expiresAt');
    expect(shadow.rows.get(b)).toMatchObject({ deleted: false, state: { n: 1 }, version: 1, expiresAt: 101_000 });
    expect(shadow.rows.get(c)).toMatchObject({ deleted: true, state: null, version: 4, eventTs: 1500 });
    expect(shadow.rows.get(d)).toMatchObject({ deleted: false, state: { m: 1 }, version: 3 });
    expect(shadow.rows.get(d)).not.toHaveProperty('expiresAt');
    await fold.flush(); // tombstones have no expiry: a later sweep takes nothing again
    expect(fold.expired).toBe(2);
  });

  it('from an offset above 0 starts at that offset', () => {
    const fold = new ShadowFold(new MemoryShadow(0), 40, PARTITIONS, SETTINGS);
    expect(fold.nextOffset).toBe(40);
    expect(() => fold.fold([{ offset: 39, key: null, value: null }])).toThrow(/expected offset 40, got 39/);
  });

  describe('from an offset, with the parked store the consumer committed', () => {
    // Partition 0: x and y park (incrs past the safe range), an operator releases x at offset 9; z flows on.
    const [x, y, z] = idsOn(0, 3);
    const NEAR = Number.MAX_SAFE_INTEGER - 10;
    const event = (id: string, i: number, op: 'set' | 'incr' | 'merge', data: JsonObject): StampedEvent => ({ id, op, data, ts: 1_764_000_000_000 + i, src: 'p-1', seq: i });
    const control = (id: string, refusedOffset: number) => ({ ...encodeParkedControl({ id, action: 'skip-refused', refusedOffset, ts: 1, by: 'test' }), headers: { 'x-async2-control': Buffer.from('parked-v1') } });
    const log = [
      encodeEventRecord(event(x, 0, 'set', { n: NEAR })),
      encodeEventRecord(event(z, 1, 'set', { n: 1 })),
      encodeEventRecord(event(x, 2, 'incr', { n: 100 })), // refused: parks x at 2
      encodeEventRecord(event(z, 3, 'incr', { n: 1 })),
      encodeEventRecord(event(x, 4, 'incr', { n: 3 })),
      encodeEventRecord(event(y, 5, 'set', { n: NEAR })),
      encodeEventRecord({ ...event(x, 6, 'merge', { tag: 'x6' }), condition: { version: 2 } }), // decided when released
      encodeEventRecord(event(y, 7, 'incr', { n: 100 })), // refused: parks y at 7
      encodeEventRecord(event(z, 8, 'incr', { n: 1 })),
      control(x, 2), // x released without its refused event: 4 and 6 apply here
      encodeEventRecord(event(y, 10, 'merge', { tag: 'y10' })),
      encodeEventRecord(event(x, 11, 'incr', { n: 1 })),
    ].map((r, offset) => ({ offset, ...r }));

    /** The consumer: folds the log up to `storedAt` (what it committed: rows and parked store), and on to the end. */
    const consumerFold = async (storedAt: number) => {
      const shadow = new MemoryShadow(0);
      const fold = new ShadowFold(shadow, 0, PARTITIONS, SETTINGS);
      fold.fold(log.slice(0, storedAt));
      await fold.flush();
      const stored = { nextOffset: storedAt, parked: fold.parkedState(), rows: structuredClone(shadow.rows) };
      fold.fold(log.slice(storedAt));
      await fold.flush();
      return { stored, end: { parked: fold.parkedState(), rows: shadow.rows } };
    };

    /** The rebuild from `fromOffset`: the shadow seeded with the stored rows whose last event is below it (EventsShadow.create). */
    const rebuild = async (stored: Awaited<ReturnType<typeof consumerFold>>['stored'], fromOffset: number) => {
      const shadow = new MemoryShadow(0);
      for (const [id, row] of stored.rows) if (fromOffset > 0 && row.lastOffset < fromOffset) shadow.rows.set(id, structuredClone(row));
      const fold = new ShadowFold(shadow, fromOffset, PARTITIONS, SETTINGS, { nextOffset: stored.nextOffset, parked: stored.parked });
      fold.fold(log.slice(fromOffset));
      await fold.flush();
      return { parked: fold.parkedState(), rows: shadow.rows, verdicts: fold.verdicts };
    };

    it('ends with the parked store the consumer has, from every offset up to where the consumer committed (the release after it)', async () => {
      const { stored, end } = await consumerFold(9);
      expect(stored.parked.map((p) => [p.id, p.refusedOffset, p.events.map((e) => e.offset)])).toEqual([
        [x, 2, [2, 4, 6]],
        [y, 7, [7]],
      ]);
      expect(end.parked.map((p) => [p.id, p.refusedOffset, p.events.map((e) => e.offset)])).toEqual([[y, 7, [7, 10]]]);
      for (let from = 0; from <= 9; from++) {
        const rebuilt = await rebuild(stored, from);
        expect({ from, parked: rebuilt.parked }).toEqual({ from, parked: end.parked });
        // The parked IDs' rows: x released in order at 9 (state before its refused event, then 4 and 6, then 11), y before its refused event.
        expect({ from, x: rebuilt.rows.get(x), y: rebuilt.rows.get(y) }).toEqual({ from, x: end.rows.get(x), y: end.rows.get(y) });
        // x's conditional event at 6 was kept when the consumer committed 9: decided by the release at 9, it is the rebuild's to write.
        expect({ from, verdicts: rebuilt.verdicts.map((v) => [v.offset, v.verdict]) }).toEqual({ from, verdicts: [[6, { outcome: 'applied', seenVersion: 2 }]] });
      }
      expect(end.rows.get(x)).toMatchObject({ state: { n: NEAR + 4, tag: 'x6' }, version: 4, lastOffset: 11 });
    });

    it('with the consumer past the release: exact from 0 up to the released parking and from after the release; refused in between, naming the way out', async () => {
      const { stored, end } = await consumerFold(12);
      expect(stored.parked).toEqual(end.parked);
      for (const from of [0, 1, 2, 10, 11, 12]) {
        const rebuilt = await rebuild(stored, from);
        expect({ from, parked: rebuilt.parked, y: rebuilt.rows.get(y) }).toEqual({ from, parked: end.parked, y: end.rows.get(y) });
        // x's row was written at 11 (the release applied 4 and 6 on it): from 1 to 11 it is folded from its
        // events at or after the offset alone, exact only from a set (docs/operations.md); from 0 and 12 it is exact.
        if (from === 0 || from === 12) expect({ from, x: rebuilt.rows.get(x) }).toEqual({ from, x: end.rows.get(x) });
      }
      for (let from = 3; from <= 9; from++) {
        const refused = rebuild(stored, from);
        await expect(refused).rejects.toThrow(InexactParkedStateError);
        await expect(rebuild(stored, from)).rejects.toThrow(`--from-offset ${from}: the control record at offset 9 releases "${x}" parked at offset 2, before ${from}`);
      }
    });

    it('a fold that parks an ID the store does not hold ends with it parked (the swap writes it)', async () => {
      const fold = new ShadowFold(new MemoryShadow(0), 0, PARTITIONS, SETTINGS, { nextOffset: 0, parked: [] });
      fold.fold(log.slice(0, 8));
      await fold.flush();
      expect(fold.parkedState().map((p) => [p.id, p.reason, p.events.length])).toEqual([
        [x, expect.stringMatching(/leaves the safe number range/), 3],
        [y, expect.stringMatching(/leaves the safe number range/), 1],
      ]);
    });
  });
});
