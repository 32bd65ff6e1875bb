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

const row = async (partition: number) =>
  (await dataSource.query('SELECT topic_id, next_offset::int AS next_offset, epoch::int AS epoch, owner FROM oplog WHERE consumer_group = $1 AND topic = $2 AND partition = $3', [key.consumerGroup, key.topic, partition]))[0];
const setOffset = (partition: number, offset: number, topicId: string | null) =>
  dataSource.query('UPDATE oplog SET next_offset = $4, topic_id = $5 WHERE consumer_group = $1 AND topic = $2 AND partition = $3', [key.consumerGroup, key.topic, partition, offset, topicId]);

describe('claiming a partition against the topic Kafka has now', () => {
  it('records the topic id on the first claim and resumes on the same topic', async () => {
    await expect(oplog.claim(key, 0, 'consumer-a', { topicId: TOPIC_A, endOffset: 0 })).resolves.toEqual({ partition: 0, epoch: 1, nextOffset: 0 });
    expect(await row(0)).toEqual({ topic_id: TOPIC_A, next_offset: 0, epoch: 1, owner: 'consumer-a' });
    await setOffset(0, 40, TOPIC_A);
    await expect(oplog.claim(key, 0, 'consumer-b', { topicId: TOPIC_A, endOffset: 40 })).resolves.toEqual({ partition: 0, epoch: 2, nextOffset: 40 });
  });

  it('refuses a topic recreated under the same name, naming both ids and the ways out, and changes nothing', async () => {
    await oplog.claim(key, 1, 'consumer-a', { topicId: TOPIC_A, endOffset: 0 });
    await setOffset(1, 16054, TOPIC_A);
    const refused = oplog.claim(key, 1, 'consumer-b', { topicId: TOPIC_B, endOffset: 20_000 });
    await expect(refused).rejects.toBeInstanceOf(ClaimRefusedError);
    await expect(refused).rejects.toMatchObject({ reason: 'topic-changed', code: 'CLAIM_REFUSED', retriable: false });
    await expect(refused).rejects.toThrow(new RegExp(`OPLOG was folded from another topic named ${key.topic} \\(topic id ${TOPIC_A}\\); Kafka's ${key.topic} now has id ${TOPIC_B}.*Ways out.*fresh database.*DELETE FROM oplog WHERE consumer_group = '${key.consumerGroup}'`));
    expect(await row(1)).toEqual({ topic_id: TOPIC_A, next_offset: 16054, epoch: 1, owner: 'consumer-a' });
  });

  it('refuses an OPLOG offset beyond the partition end, also for a row from before topic ids (NULL)', async () => {
    await oplog.claim(key, 2, 'consumer-a');
    await setOffset(2, 16054, null);
    const refused = oplog.claim(key, 2, 'consumer-b', { topicId: TOPIC_B, endOffset: 11 });
    await expect(refused).rejects.toMatchObject({ reason: 'offset-beyond-end', facts: { oplogTopicId: null, topicId: TOPIC_B, nextOffset: 16054, endOffset: 11 } });
    await expect(refused).rejects.toThrow(/OPLOG next_offset 16054 is beyond the end of .*-2 \(end offset 11/);
    expect(await row(2)).toEqual({ topic_id: null, next_offset: 16054, epoch: 1, owner: 'consumer-a' });
  });

  it('a row from before topic ids adopts the topic id when its offset is within the partition', async () => {
    await oplog.claim(key, 3, 'consumer-a');
    await setOffset(3, 7, null);
    await expect(oplog.claim(key, 3, 'consumer-b', { topicId: TOPIC_A, endOffset: 7 })).resolves.toEqual({ partition: 3, epoch: 2, nextOffset: 7 });
    expect(await row(3)).toMatchObject({ topic_id: TOPIC_A, owner: 'consumer-b' });
  });
});
