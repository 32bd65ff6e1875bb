import { type AppProcess, type TcpProxy, TestPipeline, startTcpProxy, waitFor } from '@async2/testing';

// Readiness must tell the truth: both built apps reach PostgreSQL through a TCP proxy the test
// cuts (the server is gone: connections reset, the port refuses) and restores.
describe('readiness end to end', () => {
  let pipeline: TestPipeline;
  let proxy: TcpProxy;
  let producer: AppProcess;
  let consumer: AppProcess;

  const ready = async (app: AppProcess) => {
    const response = await fetch(`${app.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as { status: string; error?: Record<string, { status: string }> } };
  };

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'ready', partitions: 2 });
    const target = new URL(pipeline.database.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const proxied = new URL(pipeline.database.url);
    proxied.port = String(proxy.port);
    producer = await pipeline.startProducer({ DATABASE_URL: proxied.toString() });
    consumer = await pipeline.startConsumer({ DATABASE_URL: proxied.toString() });
  });

  afterAll(async () => {
    await pipeline?.close();
    await proxy?.close();
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
