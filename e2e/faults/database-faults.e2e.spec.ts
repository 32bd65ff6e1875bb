import { type TcpProxy, startTcpProxy, waitFor } from '@async2/testing';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { FaultPipeline, scenarioSeed, sleep } from './fault-pipeline';

// Promise 1 through lost database connections: backends terminated mid-flush, connections reset,
// and PostgreSQL unreachable for a while (fetching pauses, memory stays bounded, readiness says so).
// Run once per Kafka client the consumer can fetch with (KAFKA_CLIENT): pausing and resuming a
// partition's fetching is the client's part.
describe.each(['kafkajs', 'platformatic'])('database faults, consumer on %s', (client) => {
  const seed = scenarioSeed() + 3;
  let pipeline: FaultPipeline;
  let proxy: TcpProxy;

  beforeAll(async () => {
    pipeline = await FaultPipeline.start({ seed, partitions: 3, consumerEnv: { KAFKA_CLIENT: client }, ttlIds: 8 });
    const target = new URL(pipeline.database.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  });
  afterAll(async () => {
    await pipeline?.close();
    await proxy?.close();
  });
  afterEach(async () => {
    await pipeline?.stopLoads(); // a test that failed before its own stop() leaves no load to the next
  });

  /** The consumer's DATABASE_URL through the proxy. */
  const viaProxy = () => {
    const url = new URL(pipeline.database.url);
    url.port = String(proxy.port);
    return url.toString();
  };

  it('pg_terminate_backend on the consumer\'s connections mid-flush, 12 times: reconnects and retries from its buffer', async () => {
    const consumer = await pipeline.startConsumer({ INSTANCE_ID: 'consumer-terminated' });
    const load = pipeline.load();
    const admin = new Client({ connectionString: pipeline.database.url });
    await admin.connect();
    let terminated = 0;
    try {
      for (let round = 0; round < 12; round++) {
        await sleep(250 + (round % 3) * 200);
        const { rows } = await admin.query(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = $1 AND application_name = 'consumer-terminated'`,
          [pipeline.database.name],
        );
        terminated += rows.filter((r) => r.done).length;
      }
    } finally {
      await admin.end();
    }
    await load.stop();
    expect(terminated).toBeGreaterThan(0);
    await pipeline.settle();
    console.log(`[pg_terminate_backend (${client})] ${terminated} backends terminated; flush errors seen by the consumer: ${await pipeline.metric(consumer, 'async2_flush_errors_total')}`);
    const report = await pipeline.check(`pg_terminate_backend (${client})`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, countersOutOfRange: 0, ok: true });
    await consumer.stop('SIGKILL');
  });

  it('connections reset and PostgreSQL down for a while: fetching pauses with a bounded buffer, readiness says not ready, then it catches up', async () => {
    const consumer = await pipeline.startConsumer({ DATABASE_URL: viaProxy(), BUFFER_MAX_BYTES: '65536', INSTANCE_ID: 'consumer-proxied' });
    const load = pipeline.load();
    for (let i = 0; i < 5; i++) {
      await sleep(400);
      proxy.resetConnections(); // a connection reset, mid-whatever
    }
    const rss: number[] = [];
    const sampleRss = () => rss.push(residentMegabytes(consumer.child.pid!));
    await proxy.cut();
    await waitFor(async () => (await pipeline.progress(consumer)).some((p) => p.paused), { timeoutMs: 30_000, what: 'a partition to pause on a full buffer' }).catch(async (e) => {
      throw new Error(`${e.message}\nprogress: ${JSON.stringify(await pipeline.progress(consumer))}\n${consumer.logs.slice(-30).join('\n')}`);
    });
    expect((await fetch(`${consumer.url}/health/ready`)).status).toBe(503);
    const before = await pipeline.progress(consumer);
    for (let i = 0; i < 6; i++) {
      sampleRss();
      await sleep(500);
    }
    const after = await pipeline.progress(consumer);
    // A partition paused at the first look folds nothing more while the database is away (one that
    // was still folding then may fill its buffer and pause later: it is bounded the same way).
    const pausedThroughout = before.filter((p) => p.paused && after[p.partition].paused).map((p) => p.partition);
    expect(pausedThroughout.length).toBeGreaterThan(0);
    for (const p of pausedThroughout) expect(after[p].foldedUpTo).toBe(before[p].foldedUpTo);
    await proxy.restore();
    await load.stop();
    await pipeline.settle(120_000);
    sampleRss();
    console.log(`[database down (${client})] consumer RSS (MB) while PostgreSQL was unreachable and after: ${rss.join(', ')}; paused partitions: [${pausedThroughout.join(', ')}]`);
    const report = await pipeline.check(`connection resets + database down (${client})`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, countersOutOfRange: 0, ok: true });
    await waitFor(async () => (await fetch(`${consumer.url}/health/ready`)).status === 200, { timeoutMs: 30_000, what: 'readiness to return' });
    await consumer.stop('SIGKILL');
  });
});

function residentMegabytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}
