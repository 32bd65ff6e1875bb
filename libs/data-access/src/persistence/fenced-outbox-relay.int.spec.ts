import type { EntityRecord } from '@async2/domain';
import { createTestDatabase, migratedDataSource, type TestDatabase, uniqueName } from '@async2/testing';
import type { DataSource } from 'typeorm';
import type { PendingChange } from './change-outbox.repository';
import { FencedOutboxRelay, RelayLockExpiredError } from './fenced-outbox-relay';
import { FlushWriter } from './flush-writer';
import { type OplogKey, OplogRepository } from './oplog.repository';

// Real PostgreSQL: the relay's fence. Its share lock on the OPLOG row is held across the publish, so
// a new owner's claim waits for it; after a claim the old epoch publishes nothing. No broker needed.

let db: TestDatabase;
let dataSource: DataSource;
let oplog: OplogRepository;
let key: OplogKey;
let partition = 100; // the outbox is not keyed by group: each test its own partition

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await migratedDataSource(db.url);
  oplog = new OplogRepository(dataSource);
});
afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});
beforeEach(() => {
  key = { consumerGroup: uniqueName('group'), topic: uniqueName('events') };
  partition++;
});

/** Claims the partition for "old" and commits one flush of two IDs: two rows wait in the outbox. */
async function ownerWithPendingChanges(): Promise<number> {
  const { epoch } = await oplog.claim(key, partition, 'old');
  const record = (id: string): EntityRecord => ({ id: `${key.consumerGroup}-${id}`, state: { id }, deleted: false, version: 1, partition, lastOffset: 0, eventTs: Date.now(), recentEventIds: [] });
  await new FlushWriter(dataSource).commit({ key, partition, epoch, nextOffset: 1, records: [record('a'), record('b')] });
  return epoch;
}

const outboxSize = async () => Number((await dataSource.query('SELECT count(*)::int AS n FROM change_outbox WHERE partition = $1', [partition]))[0].n);

describe('FencedOutboxRelay', () => {
  it("a new owner's claim waits until the relay's publish is acknowledged and its rows deleted", async () => {
    const epoch = await ownerWithPendingChanges();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let publishing!: () => void;
    const started = new Promise<void>((resolve) => (publishing = resolve));
    const relay = new FencedOutboxRelay(dataSource, key, 60_000).relayBatch([{ partition, epoch }], 100, async (changes) => {
      publishing();
      await gate; // Kafka has not answered yet
      order.push(`published ${changes.length}`);
    });
    await started;
    const claim = oplog.claim(key, partition, 'new').then((c) => {
      order.push(`claimed epoch ${c.epoch}`);
      return c;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(order).toEqual([]); // the claim is waiting for the relay's lock
    release();
    expect(await relay).toEqual({ published: 2, lost: [] });
    await claim;
    expect(order).toEqual(['published 2', `claimed epoch ${epoch + 1}`]);
    expect(await outboxSize()).toBe(0);
  });

  it('after another instance claimed the partition, the old epoch publishes nothing and learns it lost the partition', async () => {
    const epoch = await ownerWithPendingChanges();
    await oplog.claim(key, partition, 'new');
    const published: PendingChange[] = [];
    const result = await new FencedOutboxRelay(dataSource, key, 60_000).relayBatch([{ partition, epoch }], 100, async (changes) => {
      published.push(...changes);
    });
    expect(result).toEqual({ published: 0, lost: [partition] });
    expect(published).toEqual([]);
    expect(await outboxSize()).toBe(2); // the new owner publishes them, in order
  });

  it('a lock older than maxLockAgeMs is not published under: rolled back, the rows stay for the next run', async () => {
    const epoch = await ownerWithPendingChanges();
    const relay = new FencedOutboxRelay(dataSource, key, 50);
    const attempt = relay.relayBatch([{ partition, epoch }], 100, async (_changes, lockAlive) => {
      await new Promise((resolve) => setTimeout(resolve, 100)); // frozen, as a SIGSTOPped process would be
      lockAlive();
    });
    await expect(attempt).rejects.toBeInstanceOf(RelayLockExpiredError);
    expect(await outboxSize()).toBe(2);
  });
});
