import { type AppProcess, type TestDatabase, createTestDatabase, freePort, startApp, testBrokers, testKafka, uniqueName } from '@async2/testing';
import type { Admin } from 'kafkajs';

// Issue 15, finding 7: DATABASE_POOL_SIZE=1 hung the boot (the migration lock held the only
// connection while the migrations waited for another). Both apps must boot on a fresh database
// with a pool of one, and an event must go all the way through.
describe('DATABASE_POOL_SIZE=1', () => {
  const topic = uniqueName('events-pool1');
  let database: TestDatabase;
  let admin: Admin;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('async2_pool1');
    admin = testKafka().admin();
    await admin.connect();
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await admin?.deleteTopics({ topics: [topic, `${topic}.dlq`, `${topic}.changes`] }).catch(() => undefined);
    await admin?.disconnect();
    await database?.drop();
  });

  it('boots both apps on a fresh database and serves a write and its read', async () => {
    const env = { KAFKA_BROKERS: testBrokers().join(','), DATABASE_URL: database.url, KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '2', DATABASE_POOL_SIZE: '1', CONSUMER_GROUP: uniqueName('group') };
    const consumer = await startApp('consumer', await freePort(), { ...env, PARTITIONS: 'all', FLUSH_INTERVAL_MS: '100' }, 30_000);
    const producer = await startApp('producer', await freePort(), env, 30_000);
    apps.push(consumer, producer);
    expect(consumer.logs.join('\n')).toMatch(/applied InitialSchema1763859600000, /);

    const written = await fetch(`${producer.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'pool-1', op: 'set', data: { ok: true } }) });
    expect(written.status).toBe(202);
    const { token } = (await written.json()) as { token: string };
    const read = await fetch(`${producer.url}/v1/entities/pool-1?after=${token}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: 'pool-1', state: { ok: true } });
  }, 90_000);
});
