import { TestPipeline, uniqueName } from '@async2/testing';

// Issue 15, finding 7: DATABASE_POOL_SIZE=1 hung the boot (the migration lock held the only
// connection while the migrations waited for another). Both apps must boot on a fresh database
// with a pool of one, and an event must go all the way through.
describe('DATABASE_POOL_SIZE=1', () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'pool1', partitions: 2, env: { DATABASE_POOL_SIZE: '1', CONSUMER_GROUP: uniqueName('group') } });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('boots both apps on a fresh database and serves a write and its read', async () => {
    const consumer = await pipeline.startConsumer({ FLUSH_INTERVAL_MS: '100' }, { readyTimeoutMs: 30_000 });
    const producer = await pipeline.startProducer({}, { readyTimeoutMs: 30_000 });
    expect(consumer.logs.join('\n')).toMatch(/applied InitialSchema1763859600000, /);

    const written = await fetch(`${producer.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'pool-1', op: 'set', data: { ok: true } }) });
    expect(written.status).toBe(202);
    const { token } = (await written.json()) as { token: string };
    const read = await fetch(`${producer.url}/v1/entities/pool-1?after=${token}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: 'pool-1', state: { ok: true } });
  }, 90_000);
});
