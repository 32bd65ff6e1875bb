import { type AppProcess, MetricsScrape, TestPipeline, waitFor } from '@async2/testing';

// /metrics of both built apps scraped before and after a known workload on real Kafka and
// PostgreSQL: the numbers an operator reads at 3 a.m. must be exact.
describe('metrics end to end', () => {
  let pipeline: TestPipeline;
  let producer: AppProcess;
  let consumer: AppProcess | undefined;

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${producer.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { partition: number; offset: number } };
  };
  const sendSingles = async (count: number, tag: string) => {
    const partitions = new Set<number>();
    for (let i = 0; i < count; i++) {
      const answer = await post('/v1/events', { id: `${tag}-${i % 7}`, op: 'incr', data: { n: 1 } });
      expect(answer.status).toBe(202);
      partitions.add(answer.body.partition);
    }
    return partitions;
  };
  const readiness = async (app: AppProcess) => (await fetch(`${app.url}/health/ready`)).status;

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'metrics', partitions: 2 });
    producer = await pipeline.startProducer();
    consumer = await pipeline.startConsumer();
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('counts exactly the events sent, by outcome, and the flushes and visibility lag of every one', async () => {
    const [producerBefore, consumerBefore] = await Promise.all([MetricsScrape.of(producer.url), MetricsScrape.of(consumer!.url)]);
    await sendSingles(30, 'single');
    const batch = await post('/v1/events:batch', { events: Array.from({ length: 20 }, (_, i) => ({ id: `batch-${i}`, op: 'set', data: { i } })) });
    expect(batch.status).toBe(202);
    for (const bad of [{ op: 'set' }, { id: 'x', op: 'nope' }, { id: 'y', op: 'incr', data: { n: 'one' } }]) expect((await post('/v1/events', bad)).status).toBe(400);

    const producerAfter = await MetricsScrape.of(producer.url);
    const delta = (name: string, labels: Record<string, string>) => producerAfter.sum(name, labels) - producerBefore.sum(name, labels);
    expect(delta('async2_ingest_events_total', { edge: 'http', outcome: 'accepted' })).toBe(50);
    expect(delta('async2_ingest_events_total', { edge: 'http', outcome: 'invalid' })).toBe(3);
    expect(delta('async2_ingest_request_duration_seconds_count', { edge: 'http', outcome: 'accepted' })).toBe(31);
    expect(delta('async2_produce_errors_total', {})).toBe(0);

    const consumerAfter = await waitFor(
      async () => {
        const scrape = await MetricsScrape.of(consumer!.url);
        return scrape.sum('async2_flush_events_total') - consumerBefore.sum('async2_flush_events_total') === 50 && scrape;
      },
      { timeoutMs: 30_000, what: 'the consumer to flush the 50 events' },
    );
    expect(consumerAfter.sum('async2_visibility_lag_seconds_count') - consumerBefore.sum('async2_visibility_lag_seconds_count')).toBe(50);
    expect(consumerAfter.sum('async2_flush_rows_total') - consumerBefore.sum('async2_flush_rows_total')).toBeGreaterThanOrEqual(27); // 7 + 20 IDs
    expect(consumerAfter.sum('async2_flush_errors_total')).toBe(0);
  });

  it('shows lag rising while the consumer is down, from OPLOG, and back to 0 once it caught up', async () => {
    expect(await consumer!.stop('SIGTERM')).toBe(0);
    consumer = undefined;
    await sendSingles(25, 'while-down');
    // Read at scrape time from Kafka's high watermarks and OPLOG: exact, and there with no consumer running.
    expect((await MetricsScrape.of(producer.url)).sum('async2_pipeline_lag')).toBe(25);

    consumer = await pipeline.startConsumer();
    await waitFor(async () => (await MetricsScrape.of(producer.url)).sum('async2_pipeline_lag') === 0, { timeoutMs: 30_000, what: 'the pipeline lag to return to 0' });
    // The consumer's own gauge (refreshed every 5 s) agrees, for each partition it owns.
    await waitFor(
      async () => {
        const lag = (await MetricsScrape.of(consumer!.url)).series('async2_partition_lag');
        return lag.length === 2 && lag.every((s) => s.value === 0);
      },
      { timeoutMs: 30_000, what: "the consumer's lag gauge to read 0 on both partitions" },
    );
  });

  it('counts a fenced claim when a second instance takes the partitions over, and the first one turns not-ready', async () => {
    const first = consumer!;
    const fencedBefore = (await MetricsScrape.of(first.url)).sum('async2_fenced_total');
    // The first instance becomes the zombie once the second one claims its partitions (close() stops it).
    consumer = await pipeline.startConsumer();
    // OPLOG now holds the new epochs: the first instance knows it lost them before it even flushes.
    await waitFor(async () => (await readiness(first)) === 503, { timeoutMs: 15_000, what: 'the fenced instance to be not ready' });
    expect(await readiness(consumer)).toBe(200);

    const touched = await sendSingles(10, 'after-takeover');
    // Both members fetch the partitions; the first one's next flush finds a newer epoch and is refused.
    await waitFor(async () => (await MetricsScrape.of(first.url)).sum('async2_fenced_total') - fencedBefore === touched.size, {
      timeoutMs: 30_000,
      what: `the fenced counter to rise by ${touched.size}`,
    });
    await waitFor(async () => (await MetricsScrape.of(first.url)).sum('async2_paused_partitions', { reason: 'fenced' }) === touched.size, {
      timeoutMs: 30_000,
      what: 'the fenced partitions to show as paused',
    });
    await waitFor(async () => (await MetricsScrape.of(producer.url)).sum('async2_pipeline_lag') === 0, { timeoutMs: 30_000, what: 'the new owner to apply the events' });
  });
});
