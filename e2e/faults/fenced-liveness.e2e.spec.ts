import { type AppProcess, TestPipeline, uniqueName, waitFor, waitUntilReady } from '@async2/testing';

// Issue 15, finding 8: a fenced consumer never writes again; if the instance that fenced it dies
// too, nothing owns the partition. After FENCED_LIVENESS_GRACE_MS the fenced one must fail its
// liveness probe (so the orchestrator restarts it and it claims again), and say why.
describe('a fenced consumer', () => {
  const GRACE_MS = 3000;
  let pipeline: TestPipeline;

  const env = (instanceId: string) => ({
    PARTITIONS: '0', INSTANCE_ID: instanceId, PROGRESS_CHECK_MS: '200', FENCED_LIVENESS_GRACE_MS: String(GRACE_MS),
    KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_REBALANCE_TIMEOUT_MS: '10000',
  });
  const probe = async (app: AppProcess, path: 'live' | 'ready') => {
    const response = await fetch(`${app.url}/health/${path}`);
    return { status: response.status, body: (await response.json()) as { status?: string; reason?: string; fenced?: Array<{ partition: number }> } };
  };

  beforeAll(async () => {
    // A Kafka group of its own: members other suites left behind (killed, not yet expired) would hold up its joins.
    pipeline = await TestPipeline.open({ name: 'fenced', partitions: 1, env: { CONSUMER_GROUP: uniqueName('group') }, stopSignal: 'SIGKILL' });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('stays live through the grace period, then fails liveness naming the partition and who took it', async () => {
    const first = await pipeline.startConsumer(env('consumer-first'));
    expect((await probe(first, 'live')).status).toBe(200);

    // Readiness reads OPLOG, so it turns 503 the moment the second one claims, before the first one's
    // lane is fenced (its next claim check): the grace period starts after this.
    const second = await pipeline.spawnConsumer(env('consumer-second'));
    await waitFor(async () => (await probe(first, 'ready')).status === 503, { timeoutMs: 30_000, intervalMs: 20, what: 'the second consumer to claim the partition' });
    const fencedAt = Date.now();
    expect((await probe(first, 'live')).status).toBe(200); // within the grace period: a handover may still be under way

    const down = await waitFor(async () => { const p = await probe(first, 'live'); return p.status === 503 ? p : undefined; }, { timeoutMs: 20_000, what: 'the fenced consumer to fail liveness' });
    expect(Date.now() - fencedAt).toBeGreaterThanOrEqual(GRACE_MS); // not before the grace period
    expect(down.body.status).toBe('fenced');
    expect(down.body.reason).toMatch(/^fenced longer than FENCED_LIVENESS_GRACE_MS \(3000 ms\): partition 0 for \d+ s \(OPLOG shows epoch 2 owned by consumer-second\); restart to claim again$/);
    expect(down.body.fenced?.map((f) => f.partition)).toEqual([0]);

    // The instance that took over is live and ready.
    await waitUntilReady(second);
    expect((await probe(second, 'live')).status).toBe(200);
    expect((await probe(second, 'ready')).status).toBe(200);
  }, 120_000);
});
