import { partitionForKey } from '@async2/domain';
import { freePort, spawnApp, waitFor } from '@async2/testing';
import { FaultPipeline, scenarioSeed, sleep } from './fault-pipeline';

// Shutdown, poison and startup: SIGTERM commits everything folded (the next start replays
// nothing), poison records go to the DLQ without stopping the partition, and a consumer that
// cannot reach Kafka or PostgreSQL says so and exits instead of pretending.
describe('lifecycle', () => {
  const seed = scenarioSeed() + 4;
  let pipeline: FaultPipeline;

  beforeAll(async () => {
    pipeline = await FaultPipeline.start({ seed, partitions: 3 });
  });
  afterAll(async () => {
    await pipeline?.close();
  });
  afterEach(async () => {
    await pipeline?.stopLoads(); // a test that failed before its own stop() leaves no load to the next
  });

  it('SIGTERM flushes and commits within the grace period; the next start resumes at the end and replays nothing', async () => {
    // No timed flush and no size flush: only the shutdown can commit what it folds.
    const consumer = await pipeline.startConsumer({ FLUSH_INTERVAL_MS: '600000', FLUSH_MAX_EVENTS: '10000000', BUFFER_MAX_BYTES: '1073741824' });
    const load = pipeline.load();
    await sleep(3000);
    await load.stop();
    const ends = await pipeline.endOffsets();
    await waitFor(async () => (await pipeline.progress(consumer)).every((p) => p.foldedUpTo === ends.get(p.partition)), { timeoutMs: 30_000, what: 'the consumer to fold everything' });
    const oplogBefore = await pipeline.probe.oplog(pipeline.topic);
    expect([...ends].some(([p, end]) => (oplogBefore.get(p)?.nextOffset ?? 0) < end)).toBe(true); // folded, not yet committed

    expect(await consumer.stop('SIGTERM')).toBe(0);
    expect(consumer.logs.join('\n')).toContain('stopped: every folded event is committed');
    const oplogAfter = await pipeline.probe.oplog(pipeline.topic);
    for (const [p, end] of ends) expect(oplogAfter.get(p)?.nextOffset).toBe(end);

    const next = await pipeline.startConsumer();
    for (const [p, end] of ends) expect(next.logs.join('\n')).toContain(`partition ${p}: claimed with epoch ${oplogAfter.get(p)!.epoch + 1}, resuming at offset ${end}`);
    await pipeline.settle(); // releases IDs the workload's poison events parked (their kept events are acknowledged)
    const report = await pipeline.check('sigterm');
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, ok: true });
    await next.stop('SIGKILL');
  });

  // Once per Kafka client the consumer's DLQ sender can go through (KAFKA_CLIENT).
  it.each(['kafkajs', 'platformatic'])('poison records produced straight to the topic go to the DLQ (sent on %s) with their bytes and reason; the partition moves on', async (client) => {
    const consumer = await pipeline.startConsumer({ KAFKA_CLIENT: client });
    const load = pipeline.load();
    const producer = pipeline.kafka.producer();
    await producer.connect();
    const poison = [
      { key: `poison-1-${client}`, value: Buffer.from('{not json') },
      { key: `poison-2-${client}`, value: Buffer.from(JSON.stringify({ v: 1, id: `poison-2-${client}`, op: 'explode', ts: 1, src: 'x' })) },
    ];
    await producer.send({ topic: pipeline.topic, messages: poison.map((m) => ({ ...m, partition: 0 })) });
    await producer.disconnect();
    await sleep(1000);
    await load.stop();
    await pipeline.settle();
    const dlq: Array<{ partition: number; key: string; value: string; headers: Record<string, string> }> = [];
    const reader = pipeline.kafka.consumer({ groupId: `dlq-reader-${seed}-${client}` });
    await reader.connect();
    await reader.subscribe({ topic: `${pipeline.topic}.dlq`, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ partition, message }) => {
        dlq.push({
          partition,
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    await waitFor(async () => poison.every((p) => dlq.some((d) => d.key === p.key)), { timeoutMs: 30_000, what: 'the poison records in the DLQ' });
    await reader.disconnect();
    const [{ partitions }] = (await pipeline.admin.fetchTopicMetadata({ topics: [`${pipeline.topic}.dlq`] })).topics;
    for (const p of poison) {
      const found = dlq.find((d) => d.key === p.key);
      expect(found?.value).toBe(p.value.toString()); // the original bytes
      expect(found?.partition).toBe(partitionForKey(p.key, partitions.length)); // where Kafka's default partitioner puts the key
      expect(found?.headers['x-source-partition']).toBe('0');
      expect(Object.keys(found?.headers ?? {}).some((h) => /reason/.test(h))).toBe(true);
    }
    expect(await pipeline.metric(consumer, 'async2_dlq_records_total')).toBe(2);
    const report = await pipeline.check(`poison-${client}`);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    await consumer.stop('SIGKILL');
  });

  it.each([
    ['Kafka', (closed: number) => ({ KAFKA_BROKERS: `127.0.0.1:${closed}` }), /cannot use Kafka at 127\.0\.0\.1:\d+ \(no TLS, no SASL\)/],
    ['PostgreSQL', (closed: number) => ({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/nothing` }), /Unable to connect to the database[\s\S]*ECONNREFUSED 127\.0\.0\.1:\d+/],
  ])('unreachable %s at startup: never ready, exits non-zero naming it', async (_what, env, named) => {
    const closed = await freePort();
    const consumer = spawnApp('consumer', await freePort(), { ...pipeline.env(), ...env(closed) });
    let everReady = false;
    const probe = setInterval(() => {
      fetch(`${consumer.url}/health/ready`).then((r) => (everReady ||= r.status === 200), () => undefined);
    }, 200);
    const exit = await consumer.exitedWithin(120_000);
    clearInterval(probe);
    expect(everReady).toBe(false);
    expect(exit).not.toBe(0);
    expect(exit).not.toBe('still running');
    expect(consumer.logs.join('\n')).toMatch(named);
  });
});
