import { type EntityRecord, type JsonObject, type ParkedId, ParkedIds, type VerdictEntry, emptyRecord } from '@async2/domain';
import { createTestDatabase, migratedDataSource, type TestDatabase, uniqueName } from '@async2/testing';
import type { DataSource } from 'typeorm';
import { EventsRepository } from './events.repository';
import { EventsShadow } from './events-shadow';
import { FlushWriter } from './flush-writer';
import { type OplogKey, OplogRepository } from './oplog.repository';
import { ParkedRepository } from './parked.repository';
import { ProducerMarksRepository } from './producer-marks.repository';
import { VerdictsRepository } from './verdicts.repository';

// Real PostgreSQL: a rebuild's shadow of one partition and its swap into EVENTS under the epoch fence.

let db: TestDatabase;
let dataSource: DataSource;
let oplog: OplogRepository;
let key: OplogKey;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await migratedDataSource(db.url);
  oplog = new OplogRepository(dataSource);
});
afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});
beforeEach(async () => {
  key = { consumerGroup: uniqueName('group'), topic: uniqueName('events') };
  await dataSource.query('DELETE FROM events');
});

const record = (id: string, partition: number, lastOffset: number, state: JsonObject, version = 1): EntityRecord => ({
  ...emptyRecord(id, partition),
  state,
  version,
  lastOffset,
  eventTs: 1_764_500_000_000 + lastOffset,
  recentEventIds: [`e-${lastOffset}`],
});

/** The owner's state before a rebuild: rows in partitions 0 and 1, OPLOG of partition 0 at 10, one producer mark. */
async function ownerFlushed(): Promise<number> {
  const claim = await oplog.claim(key, 0, 'consumer-a');
  await oplog.claim(key, 1, 'consumer-a');
  await new FlushWriter(dataSource, { changeOutbox: false }).commit({
    key,
    partition: 0,
    epoch: claim.epoch,
    nextOffset: 10,
    records: [record('a', 0, 3, { n: 1 }), record('b', 0, 8, { n: 2 }, 2)],
    producerMarks: { changed: [{ src: 'old-producer', seq: 9, ts: 1 }], forgotten: [] },
  });
  await new FlushWriter(dataSource, { changeOutbox: false }).commit({ key, partition: 1, epoch: 1, nextOffset: 5, records: [record('z', 1, 4, { other: true })] });
  return claim.epoch;
}

/** A parked ID refused at the first of `offsets`, its events there in order. */
const parkedId = (id: string, ...offsets: number[]): ParkedId => ({
  id,
  reason: `incr of "n" leaves the safe number range`,
  refusedOffset: offsets[0],
  parkedAt: 1_764_500_000_000 + offsets[0],
  events: offsets.map((offset) => ({ offset, event: { id, op: 'incr', data: { n: offset }, ts: 1_764_500_000_000 + offset, src: 'p-1', seq: offset } })),
});

const ids = async (partition: number) => [...(await dataSource.query('SELECT id FROM events WHERE partition = $1 ORDER BY id', [partition]))].map((r: { id: string }) => r.id);

describe('a rebuild shadow', () => {
  it('swaps in the partition\'s rows, producer marks and next offset in one fenced transaction; other partitions are untouched', async () => {
    await ownerFlushed();
    const claim = await oplog.claim(key, 0, 'async2-rebuild-test');
    const shadow = new EventsShadow(dataSource, 0, claim.epoch);
    expect(await shadow.create(0)).toBe(0);
    await shadow.write([record('a', 0, 3, { n: 100 }), record('c', 0, 11, { n: 3 })]);
    expect((await shadow.records.findRecords(['a', 'c'])).get('a')?.state).toEqual({ n: 100 });

    expect(await shadow.swap(key, claim.epoch, { nextOffset: 12, marks: [{ src: 'p-1', seq: 4, ts: 7 }], verdicts: [], parked: [] })).toEqual({ kind: 'swapped', removed: 2, written: 2 });
    await shadow.drop();
    expect(await ids(0)).toEqual(['a', 'c']);
    expect((await new EventsRepository(dataSource).findRecords(['a'])).get('a')).toEqual(record('a', 0, 3, { n: 100 }));
    expect(await ids(1)).toEqual(['z']);
    expect((await oplog.rows(key)).map((r) => [r.partition, r.nextOffset, r.epoch, r.owner])).toEqual([
      [0, 12, claim.epoch, 'async2-rebuild-test'],
      [1, 5, 1, 'consumer-a'],
    ]);
    expect(await new ProducerMarksRepository(dataSource).load(key, 0)).toEqual([{ src: 'p-1', seq: 4, ts: 7 }]);
  });

  it('writes the verdicts the owner had not committed, and keeps those it had (a verdict never flips)', async () => {
    const epoch = await ownerFlushed();
    const verdict = (offset: number, outcome: 'applied' | 'rejected'): VerdictEntry => ({ offset, ts: Date.now(), src: 'p', seq: offset, verdict: { outcome, seenVersion: offset } });
    await new FlushWriter(dataSource, { changeOutbox: false }).commit({ key, partition: 0, epoch, nextOffset: 10, records: [], verdicts: [verdict(9, 'applied')] });
    const claim = await oplog.claim(key, 0, 'async2-rebuild-test');
    const shadow = new EventsShadow(dataSource, 0, claim.epoch);
    await shadow.create(0);
    expect(await shadow.swap(key, claim.epoch, { nextOffset: 12, marks: [], verdicts: [verdict(9, 'rejected'), verdict(11, 'rejected')], parked: [] })).toMatchObject({ kind: 'swapped' });
    await shadow.drop();
    const verdicts = new VerdictsRepository(dataSource);
    expect((await verdicts.find(key, 0, 9))?.verdict.outcome).toBe('applied');
    expect((await verdicts.find(key, 0, 11))?.verdict.outcome).toBe('rejected');
  });

  it('with a start offset, begins with the rows whose last event is below it', async () => {
    await ownerFlushed();
    const claim = await oplog.claim(key, 0, 'async2-rebuild-test');
    const shadow = new EventsShadow(dataSource, 0, claim.epoch);
    expect(await shadow.create(5)).toBe(1);
    expect([...(await shadow.records.findRecords(['a', 'b'])).keys()]).toEqual(['a']);
    await shadow.drop();
  });

  it("finds its own rows expired by a given time (the rebuild's sweep): expires_at at or before it, oldest first", async () => {
    const claim = await oplog.claim(key, 0, 'async2-rebuild-test');
    const shadow = new EventsShadow(dataSource, 0, claim.epoch);
    await shadow.create(0);
    const expiring = (id: string, expiresAt: number): EntityRecord => ({ ...record(id, 0, 1, { n: 1 }), expiresAt });
    await shadow.write([expiring('late', 9000), expiring('early', 4000), expiring('now', 5000), record('never', 0, 2, { n: 2 })]);
    expect(await shadow.findExpiredIds(5000, 10)).toEqual(['early', 'now']);
    expect(await shadow.findExpiredIds(5000, 1)).toEqual(['early']);
    expect(await new EventsRepository(dataSource).findExpiredIds(0, 10_000, 10)).toEqual([]); // EVENTS is not the shadow
    await shadow.drop();
  });

  it('changes nothing when another instance claimed the partition before the swap', async () => {
    await ownerFlushed();
    const before = await dataSource.query('SELECT * FROM events ORDER BY id');
    const claim = await oplog.claim(key, 0, 'async2-rebuild-test');
    const shadow = new EventsShadow(dataSource, 0, claim.epoch);
    await shadow.create(0);
    await shadow.write([record('x', 0, 1, { n: 1 })]);
    await oplog.claim(key, 0, 'consumer-restarted');
    expect(await shadow.swap(key, claim.epoch, { nextOffset: 99, marks: [], verdicts: [], parked: [parkedId('q', 1)] })).toEqual({ kind: 'fenced' });
    await shadow.drop();
    expect(await dataSource.query('SELECT * FROM events ORDER BY id')).toEqual(before);
    expect((await oplog.rows(key))[0]).toMatchObject({ nextOffset: 10, epoch: claim.epoch + 1, owner: 'consumer-restarted' });
    expect(await new ProducerMarksRepository(dataSource).load(key, 0)).toEqual([{ src: 'old-producer', seq: 9, ts: 1 }]);
    expect(await new ParkedRepository(dataSource).load(key, 0)).toEqual([]);
  });

  it("replaces the partition's parked store with the fold's parked IDs in the swap; other partitions' parked IDs are untouched", async () => {
    const epoch = await ownerFlushed();
    // The owner parked 'p' (events at 6 and 9) in partition 0 and 'w' in partition 1.
    const writer = new FlushWriter(dataSource, { changeOutbox: false });
    const planOf = (parked: ParkedId) => {
      const ids = new ParkedIds();
      ids.park(parked.id, parked.events[0], parked.reason);
      for (const e of parked.events.slice(1)) ids.append(parked.id, e);
      return ids.plan();
    };
    await writer.commit({ key, partition: 0, epoch, nextOffset: 10, records: [], parked: planOf(parkedId('p', 6, 9)) });
    await writer.commit({ key, partition: 1, epoch: 1, nextOffset: 5, records: [], parked: planOf(parkedId('w', 2)) });
    const parked = new ParkedRepository(dataSource);
    expect((await parked.load(key, 0)).map((p) => [p.id, p.events.map((e) => e.offset)])).toEqual([['p', [6, 9]]]);

    const claim = await oplog.claim(key, 0, 'async2-rebuild-test');
    const shadow = new EventsShadow(dataSource, 0, claim.epoch);
    await shadow.create(0);
    const rebuilt = [parkedId('p', 6, 11), parkedId('q', 7, 8, 10)];
    expect(await shadow.swap(key, claim.epoch, { nextOffset: 12, marks: [], verdicts: [], parked: rebuilt })).toMatchObject({ kind: 'swapped' });
    await shadow.drop();
    expect(await parked.load(key, 0)).toEqual(rebuilt);
    expect((await parked.load(key, 1)).map((p) => p.id)).toEqual(['w']);

    // A rebuild whose fold ends with nothing parked empties the partition's store.
    const again = await oplog.claim(key, 0, 'async2-rebuild-test');
    const second = new EventsShadow(dataSource, 0, again.epoch);
    await second.create(0);
    await second.swap(key, again.epoch, { nextOffset: 12, marks: [], verdicts: [], parked: [] });
    await second.drop();
    expect(await parked.load(key, 0)).toEqual([]);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM parked_events WHERE consumer_group = $1 AND partition = 0', [key.consumerGroup])).toEqual([{ n: 0 }]);
  });

  it('a newer rebuild of the partition drops the shadows of older claims, and only those', async () => {
    const older = new EventsShadow(dataSource, 3, 4);
    const otherPartition = new EventsShadow(dataSource, 31, 1);
    await older.create(0);
    await otherPartition.create(0);
    const newer = new EventsShadow(dataSource, 3, 5);
    await newer.create(0);
    const tables = await dataSource.query("SELECT tablename FROM pg_tables WHERE tablename LIKE 'events_rebuild_%' ORDER BY tablename");
    expect(tables.map((t: { tablename: string }) => t.tablename)).toEqual(['events_rebuild_31_1', 'events_rebuild_3_5']);
    await newer.drop();
    await otherPartition.drop();
  });
});
