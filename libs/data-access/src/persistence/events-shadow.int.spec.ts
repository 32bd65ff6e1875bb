import { type EntityRecord, type JsonObject, type VerdictEntry, emptyRecord } from '@async2/domain';
import { createTestDatabase, migratedDataSource, type TestDatabase, uniqueName } from '@async2/testing';
import type { DataSource } from 'typeorm';
import { EventsRepository } from './events.repository';
import { EventsShadow } from './events-shadow';
import { FlushWriter } from './flush-writer';
import { type OplogKey, OplogRepository } from './oplog.repository';
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

const ids = async (partition: number) => [...(await dataSource.query('SELECT id FROM events WHERE partition = $1 ORDER BY id', [partition]))].map((r: { id: string }) => r.id);

describe('a rebuild shadow', () => {
  it('swaps in the partition\'s rows, producer marks and next offset in one fenced transaction; other partitions are untouched', async () => {
    await ownerFlushed();
    const claim = await oplog.claim(key, 0, 'async2-rebuild-test');
    const shadow = new EventsShadow(dataSource, 0, claim.epoch);
    expect(await shadow.create(0)).toBe(0);
    await shadow.write([record('a', 0, 3, { n: 100 }), record('c', 0, 11, { n: 3 })]);
    expect((await shadow.records.findRecords(['a', 'c'])).get('a')?.state).toEqual({ n: 100 });

    expect(await shadow.swap(key, claim.epoch, 12, [{ src: 'p-1', seq: 4, ts: 7 }])).toEqual({ kind: 'swapped', removed: 2, written: 2 });
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
    expect(await shadow.swap(key, claim.epoch, 12, [], [verdict(9, 'rejected'), verdict(11, 'rejected')])).toMatchObject({ kind: 'swapped' });
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
    expect(await shadow.swap(key, claim.epoch, 99, [])).toEqual({ kind: 'fenced' });
    await shadow.drop();
    expect(await dataSource.query('SELECT * FROM events ORDER BY id')).toEqual(before);
    expect((await oplog.rows(key))[0]).toMatchObject({ nextOffset: 10, epoch: claim.epoch + 1, owner: 'consumer-restarted' });
    expect(await new ProducerMarksRepository(dataSource).load(key, 0)).toEqual([{ src: 'old-producer', seq: 9, ts: 1 }]);
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
