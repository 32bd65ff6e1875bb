import { createTestDatabase, migratedDataSource, type TestDatabase, uniqueName } from '@async2/testing';
import type { DataSource } from 'typeorm';
import { ClaimRefusedError } from './claim-refused.error';
import { type OplogKey, OplogRepository } from './oplog.repository';

// Real PostgreSQL: a claim checks OPLOG against the topic Kafka has now (its id and the partition's
// end offset) and, when they disagree, refuses without changing the row. No broker: the topic's id
// and end offset are given as Kafka would report them.

let db: TestDatabase;
let dataSource: DataSource;
let oplog: OplogRepository;
let key: OplogKey;
const TOPIC_A = '0a'.repeat(16);
const TOPIC_B = '0b'.repeat(16);

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
});

/** Kafka's end offset as the claim reads it (under its row lock). */
const at = (endOffset: number) => async () => endOffset;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const row = async (partition: number) =>
  (await dataSource.query('SELECT topic_id, next_offset::int AS next_offset, epoch::int AS epoch, owner FROM oplog WHERE consumer_group = $1 AND topic = $2 AND partition = $3', [key.consumerGroup, key.topic, partition]))[0];
const setOffset = (partition: number, offset: number, topicId: string | null) =>
  dataSource.query('UPDATE oplog SET next_offset = $4, topic_id = $5 WHERE consumer_group = $1 AND topic = $2 AND partition = $3', [key.consumerGroup, key.topic, partition, offset, topicId]);

describe('claiming a partition against the topic Kafka has now', () => {
  it('records the topic id on the first claim and resumes on the same topic', async () => {
    await expect(oplog.claim(key, 0, 'consumer-a', { topicId: TOPIC_A, endOffset: at(0) })).resolves.toEqual({ partition: 0, epoch: 1, nextOffset: 0 });
    expect(await row(0)).toEqual({ topic_id: TOPIC_A, next_offset: 0, epoch: 1, owner: 'consumer-a' });
    await setOffset(0, 40, TOPIC_A);
    await expect(oplog.claim(key, 0, 'consumer-b', { topicId: TOPIC_A, endOffset: at(40) })).resolves.toEqual({ partition: 0, epoch: 2, nextOffset: 40 });
  });

  it('refuses a topic recreated under the same name, naming both ids and the ways out, and changes nothing', async () => {
    await oplog.claim(key, 1, 'consumer-a', { topicId: TOPIC_A, endOffset: at(0) });
    await setOffset(1, 16054, TOPIC_A);
    const refused = oplog.claim(key, 1, 'consumer-b', { topicId: TOPIC_B, endOffset: at(20_000) });
    await expect(refused).rejects.toBeInstanceOf(ClaimRefusedError);
    await expect(refused).rejects.toMatchObject({ reason: 'topic-changed', code: 'CLAIM_REFUSED', retriable: false });
    await expect(refused).rejects.toThrow(new RegExp(`OPLOG was folded from another topic named ${key.topic} \\(topic id ${TOPIC_A}\\); Kafka's ${key.topic} now has id ${TOPIC_B}.*Ways out.*fresh database.*DELETE FROM oplog WHERE consumer_group = '${key.consumerGroup}'`));
    expect(await row(1)).toEqual({ topic_id: TOPIC_A, next_offset: 16054, epoch: 1, owner: 'consumer-a' });
  });

  it('refuses an OPLOG offset beyond the partition end, also for a row from before topic ids (NULL)', async () => {
    await oplog.claim(key, 2, 'consumer-a');
    await setOffset(2, 16054, null);
    const refused = oplog.claim(key, 2, 'consumer-b', { topicId: TOPIC_B, endOffset: at(11) });
    await expect(refused).rejects.toMatchObject({ reason: 'offset-beyond-end', facts: { oplogTopicId: null, topicId: TOPIC_B, nextOffset: 16054, endOffset: 11 } });
    await expect(refused).rejects.toThrow(/OPLOG next_offset 16054 is beyond the end of .*-2 \(end offset 11/);
    expect(await row(2)).toEqual({ topic_id: null, next_offset: 16054, epoch: 1, owner: 'consumer-a' });
  });

  it('a row from before topic ids adopts the topic id when its offset is within the partition', async () => {
    await oplog.claim(key, 3, 'consumer-a');
    await setOffset(3, 7, null);
    await expect(oplog.claim(key, 3, 'consumer-b', { topicId: TOPIC_A, endOffset: at(7) })).resolves.toEqual({ partition: 3, epoch: 2, nextOffset: 7 });
    expect(await row(3)).toMatchObject({ topic_id: TOPIC_A, owner: 'consumer-b' });
  });

  it('reads the end only once it holds the row: a flush the owner commits meanwhile is not taken for lost records', async () => {
    await oplog.claim(key, 4, 'consumer-a', { topicId: TOPIC_A, endOffset: at(0) });
    // The owner's flush, open: it holds the row and will commit next_offset 50.
    const flush = dataSource.createQueryRunner();
    await flush.connect();
    await flush.startTransaction();
    try {
      await flush.query('UPDATE oplog SET next_offset = 50 WHERE consumer_group = $1 AND topic = $2 AND partition = 4', [key.consumerGroup, key.topic]);
      let kafkaEnd = 40; // the flush's last records are not all in Kafka's end yet as the claim starts
      let endReads = 0;
      const claiming = oplog.claim(key, 4, 'consumer-b', { topicId: TOPIC_A, endOffset: async () => (endReads++, kafkaEnd) });
      await sleep(300);
      expect(endReads).toBe(0); // waiting for the row
      kafkaEnd = 50;
      await flush.commitTransaction();
      await expect(claiming).resolves.toEqual({ partition: 4, epoch: 2, nextOffset: 50 });
      expect(endReads).toBe(1);
    } finally {
      await flush.release();
    }
  });

  it('two first claims of a partition at once: one after the other, epochs 1 and 2, each reading the end under the lock', async () => {
    const reads: string[] = [];
    const claims = await Promise.all(['consumer-a', 'consumer-b'].map((owner) => oplog.claim(key, 5, owner, { topicId: TOPIC_A, endOffset: async () => (reads.push(owner), 0) })));
    expect(claims.map((c) => c.epoch).sort()).toEqual([1, 2]);
    expect(reads.sort()).toEqual(['consumer-a', 'consumer-b']);
    expect(await row(5)).toMatchObject({ topic_id: TOPIC_A, next_offset: 0, epoch: 2 });
  });
});
