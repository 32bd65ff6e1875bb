import { type AppProcess, type TcpProxy, type TestDatabase, createTestDatabase, freePort, startApp, startTcpProxy, testBrokers, testKafka, uniqueName, waitFor } from '@async2/testing';
import type { Admin } from 'kafkajs';

// Readiness must tell the truth: both built apps reach PostgreSQL through a TCP proxy the test
// cuts (the server is gone: connections reset, the port refuses) and restores.
describe('readiness end to end', () => {
  const topic = uniqueName('events-ready');
  let database: TestDatabase;
  let proxy: TcpProxy;
  let admin: Admin;
  let producer: AppProcess;
  let consumer: AppProcess;

  const ready = async (app: AppProcess) => {
    const response = await fetch(`${app.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as { status: string; error?: Record<string, { status: string }> } };
  };

  beforeAll(async () => {
    database = await createTestDatabase('async2_ready');
    const target = new URL(database.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    admin = testKafka().admin();
    await admin.connect();
    const env = { KAFKA_BROKERS: testBrokers().join(','), DATABASE_URL: proxied.toString(), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '2' };
    producer = await startApp('producer', await freePort(), env);
    consumer = await startApp('consumer', await freePort(), { ...env, PARTITIONS: 'all', FLUSH_INTERVAL_MS: '200' });
  });

  afterAll(async () => {
    await consumer?.stop();
    await producer?.stop();
    await proxy?.close();
    await admin?.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin?.disconnect();
    await database?.drop();
  });

  it('goes not-ready while PostgreSQL is unreachable, naming it, and ready again when it is back', async () => {
    for (const app of [producer, consumer]) expect((await ready(app)).status).toBe(200);

    await proxy.cut();
    for (const app of [producer, consumer]) {
      const down = await waitFor(async () => ((await ready(app)).status === 503 ? ready(app) : undefined), { timeoutMs: 20_000, what: `${app.name} to be not ready` });
      expect(down.body.error?.postgres?.status).toBe('down');
      expect(down.body.error?.kafka).toBeUndefined(); // Kafka is fine: readiness names only what is broken
    }
    expect((await fetch(`${producer.url}/health/live`)).status).toBe(200);

    await proxy.restore();
    for (const app of [producer, consumer]) {
      await waitFor(async () => (await ready(app)).status === 200, { timeoutMs: 30_000, what: `${app.name} to be ready again` });
    }

    // And the pipeline works again: an event sent now is readable after its write.
    const answer = await fetch(`${producer.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'back', op: 'set', data: { ok: true } }) });
    expect(answer.status).toBe(202);
    const { token } = (await answer.json()) as { token: string };
    const read = await fetch(`${producer.url}/v1/entities/back?after=${token}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { state: unknown }).state).toEqual({ ok: true });
  });
});
