import type { EntityRecord, JsonObject } from '@async2/domain';
import { createTestDatabase, migratedDataSource, type TestDatabase, uniqueName } from '@async2/testing';
import type { DataSource } from 'typeorm';
import { EventsRepository } from './events.repository';
import { FlushWriter } from './flush-writer';
import { type OplogKey, OplogRepository } from './oplog.repository';

// Real PostgreSQL: the flush's upsert never moves an ID's version backwards. A lower version (a
// second writer of the ID: a record on the wrong partition folded by another lane) is not
// written, not put in the change outbox, and counted in the result; the rest of the flush commits.

let db: TestDatabase;
let dataSource: DataSource;
let oplog: OplogRepository;
let events: EventsRepository;
let key: OplogKey;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await migratedDataSource(db.url);
  oplog = new OplogRepository(dataSource);
  events = new EventsRepository(dataSource);
  key = { consumerGroup: uniqueName('group'), topic: uniqueName('events') };
});
afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

const record = (id: string, version: number, state: JsonObject): EntityRecord => ({
  id, state, deleted: false, version, partition: 0, lastOffset: version, eventTs: Date.UTC(2026, 0, 1), recentEventIds: [],
});
const outboxVersions = async (id: string): Promise<number[]> =>
  (await dataSource.query('SELECT version::int AS v FROM change_outbox WHERE id = $1 ORDER BY seq', [id])).map((r: { v: number }) => r.v);

describe.each([
  ['with the change outbox', true],
  ['without it', false],
])('the upsert never moves a version backwards (%s)', (_, changeOutbox) => {
  it('refuses a lower version, counts it, writes the rest and leaves no change behind', async () => {
    const writer = new FlushWriter(dataSource, { changeOutbox });
    const partition = changeOutbox ? 0 : 1;
    const { epoch } = await oplog.claim(key, partition, 'consumer-a');
    const newer = uniqueName('newer');
    const other = uniqueName('other');

    await expect(writer.commit({ key, partition, epoch, nextOffset: 5, records: [record(newer, 5, { by: 'right lane' })] })).resolves.toEqual({ kind: 'committed', rows: 1, refused: 0 });
    const older = record(newer, 2, { by: 'another writer' });
    await expect(writer.commit({ key, partition, epoch, nextOffset: 9, records: [older, record(other, 1, { n: 1 })] })).resolves.toEqual({ kind: 'committed', rows: 1, refused: 1 });

    expect((await events.findRecords([newer])).get(newer)).toMatchObject({ version: 5, state: { by: 'right lane' } });
    expect((await events.findRecords([other])).get(other)).toMatchObject({ version: 1 });
    expect((await oplog.nextOffsets(key)).get(partition)).toBe(9); // the flush itself committed
    if (changeOutbox) expect(await outboxVersions(newer)).toEqual([5]);
  });

  it('writes the same version again (a replayed flush after a crash: absolute values, no harm)', async () => {
    const writer = new FlushWriter(dataSource, { changeOutbox });
    const partition = changeOutbox ? 2 : 3;
    const { epoch } = await oplog.claim(key, partition, 'consumer-a');
    const id = uniqueName('replayed');
    await writer.commit({ key, partition, epoch, nextOffset: 3, records: [record(id, 3, { n: 3 })] });
    await expect(writer.commit({ key, partition, epoch, nextOffset: 3, records: [record(id, 3, { n: 3 })] })).resolves.toEqual({ kind: 'committed', rows: 1, refused: 0 });
    await expect(writer.commit({ key, partition, epoch, nextOffset: 4, records: [record(id, 4, { n: 4 })] })).resolves.toEqual({ kind: 'committed', rows: 1, refused: 0 });
    expect((await events.findRecords([id])).get(id)).toMatchObject({ version: 4, state: { n: 4 } });
  });
});
