import { type AppProcess, TestPipeline, referenceFold, readWholeTopic, uniqueName, waitFor } from '@async2/testing';
import { type Ack, randomEvents, seededRandom, sendEvents } from './http-workload';

// The whole loop through the built apps as processes, on real Kafka and PostgreSQL:
// HTTP -> producer -> Kafka -> consumer -> EVENTS/OPLOG -> HTTP reads.
const PARTITIONS = 4;
const DEDUPE_WINDOW = 16;
const SEED = Number(process.env.E2E_SEED ?? 20261123);

describe('pipeline end to end', () => {
  let pipeline: TestPipeline;
  let consumer: AppProcess | undefined;
  let producerUrl: string;
  const acks: Ack[] = [];
  const random = seededRandom(SEED);

  /** EVENTS must equal the fold of everything in the topic, in Kafka order, each event once. */
  const expectEventsTableToMatchTopic = async () => {
    const stored = await readWholeTopic(pipeline.kafka, pipeline.topic);
    const expected = referenceFold(stored, DEDUPE_WINDOW);
    const actual = await pipeline.probe.eventsTable();
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, want] of expected) {
      const got = actual.get(id)!;
      expect({ id, state: got.state, deleted: got.deleted, version: got.version, partition: got.partition, lastOffset: got.lastOffset, recentEventIds: got.recentEventIds }).toEqual({
        id,
        state: want.deleted ? null : JSON.parse(JSON.stringify(want.state)),
        deleted: want.deleted,
        version: want.version,
        partition: want.partition,
        lastOffset: want.lastOffset,
        recentEventIds: want.recentEventIds,
      });
      expect(Math.abs(got.eventTs - want.eventTs)).toBeLessThanOrEqual(1);
    }
    return stored;
  };

  beforeAll(async () => {
    pipeline = await TestPipeline.open({
      name: 'e2e',
      partitions: PARTITIONS,
      env: { DEDUPE_WINDOW: String(DEDUPE_WINDOW) },
      consumerEnv: { FLUSH_MAX_EVENTS: '500', MAX_CACHED_IDS: '50' }, // MAX_CACHED_IDS smaller than the ID count: evicted IDs must be reloaded from EVENTS
    });
    const producer = await pipeline.startProducer({ PRODUCE_LINGER_MS: '2', READ_AFTER_TIMEOUT_MS: '10000' });
    producerUrl = producer.url;
    consumer = await pipeline.startConsumer();
  });

  afterAll(async () => {
    await pipeline?.close();
  });

  it('materialises thousands of random events (single and batch) exactly as a fold in Kafka order', async () => {
    const singles = randomEvents(random, 1500, 300, 's1');
    const batched = randomEvents(random, 1500, 300, 'b1');
    const [singleAcks, batchAcks] = await Promise.all([sendEvents(producerUrl, singles, { single: true }), sendEvents(producerUrl, batched, { batchSize: 50 }, 4)]);
    acks.push(...singleAcks, ...batchAcks);
    // Client retries: the same events with the same eventId again; they must not apply twice.
    const retries = acks.filter((a) => a.event.eventId).slice(0, 100).map((a) => a.event);
    acks.push(...(await sendEvents(producerUrl, retries, { single: true })));

    await pipeline.waitUntilApplied();
    const stored = await expectEventsTableToMatchTopic();

    // Every acknowledged event is in Kafka exactly where its answer said; nothing unacknowledged is.
    const byPosition = new Map(stored.map((s) => [`${s.partition}:${s.offset}`, s.event]));
    expect(byPosition.size).toBe(acks.length);
    for (const ack of acks) {
      const event = byPosition.get(`${ack.partition}:${ack.offset}`);
      expect(event && { id: event.id, op: event.op, eventId: event.eventId }).toEqual({ id: ack.event.id, op: ack.event.op, eventId: ack.event.eventId });
    }
  });

  it('resumes from OPLOG after a restart, and flushes everything folded on SIGTERM (exit 0)', async () => {
    expect(await consumer!.stop('SIGTERM')).toBe(0);
    consumer = undefined;
    const before = await pipeline.probe.oplog(pipeline.topic);
    // Written while no consumer runs.
    acks.push(...(await sendEvents(producerUrl, randomEvents(random, 600, 300, 's2'), { single: true })));

    // A consumer that would not flush for ten minutes: only the shutdown flush can commit its fold.
    const lazy = await pipeline.startConsumer({ FLUSH_INTERVAL_MS: '600000', FLUSH_MAX_EVENTS: '1000000' });
    const ends = await pipeline.endOffsets();
    await waitFor(
      async () => {
        const body = (await (await fetch(`${lazy.url}/health/ready`)).json()) as { details: { ownership: { partitions: Array<{ partition: number; foldedUpTo: number }> } } };
        return body.details.ownership.partitions.every((p) => p.foldedUpTo >= (ends.get(p.partition) ?? 0));
      },
      { timeoutMs: 60_000, what: 'the consumer to fold every record' },
    );
    const oplogWhileFolded = await pipeline.probe.oplog(pipeline.topic);
    expect([...ends].some(([p, end]) => oplogWhileFolded.get(p)!.nextOffset < end)).toBe(true);
    for (const [p, row] of oplogWhileFolded) expect(row.epoch).toBe(before.get(p)!.epoch + 1);

    expect(await lazy.stop('SIGTERM')).toBe(0);
    const after = await pipeline.probe.oplog(pipeline.topic);
    for (const [p, end] of ends) expect(after.get(p)!.nextOffset).toBe(end);
    await expectEventsTableToMatchTopic();
    consumer = await pipeline.startConsumer();
  });

  it('reads its own write with after=<partition>:<offset>, and 404s unknown and deleted IDs', async () => {
    const nonce = uniqueName('nonce');
    const write = await fetch(`${producerUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'ryw-1', op: 'set', data: { nonce } }),
    });
    expect(write.status).toBe(202);
    const { token } = (await write.json()) as { token: string };
    const read = await fetch(`${producerUrl}/v1/entities/ryw-1?after=${token}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { state: unknown }).state).toEqual({ nonce });

    const del = await fetch(`${producerUrl}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'ryw-1', op: 'delete' }) });
    const deleted = (await del.json()) as { token: string };
    expect((await fetch(`${producerUrl}/v1/entities/ryw-1?after=${deleted.token}`)).status).toBe(404);
    expect((await fetch(`${producerUrl}/v1/entities/${encodeURIComponent('never-written')}`)).status).toBe(404);
    const malformed = await fetch(`${producerUrl}/v1/entities/ryw-1?after=1:-1`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { violations: [{ field: 'after', rule: 'format' }] } });
  });

  it('answers bad requests with 400 naming the field and rule, and publishes nothing', async () => {
    const before = await pipeline.endOffsets();
    const post = (path: string, body: string) => fetch(`${producerUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const cases: Array<[string, string, string, string]> = [
      ['/v1/events', JSON.stringify({ id: 'x', op: 'upsert', data: {} }), '/op', 'enum'],
      ['/v1/events', JSON.stringify({ id: 'x', op: 'set' }), '/data', 'required'],
      ['/v1/events', '{"id":"x","op":"merge","data":{"a":{"__proto__":{"polluted":true}}}}', '/data/a/__proto__', 'forbidden-key'],
      ['/v1/events', JSON.stringify({ id: 'x', op: 'incr', data: { n: 'one' } }), '/data/n', 'type'],
      ['/v1/events', '{"id":"x","op":"set","data":{"n":1e400}}', '/data/n', 'finite-number'],
      ['/v1/events', '{"id":"x",', '', 'json-syntax'],
      ['/v1/events:batch', JSON.stringify({ events: [{ id: 'ok', op: 'delete' }, { id: 'ok', op: 'delete' }, { id: 'a'.repeat(257), op: 'delete' }] }), '/events/2/id', 'max-bytes'],
    ];
    for (const [path, body, field, rule] of cases) {
      const response = await post(path, body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as { error: { violations: Array<{ field: string; rule: string }> } };
      expect(answer.error.violations).toContainEqual(expect.objectContaining({ field, rule }));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await pipeline.endOffsets()).toEqual(before);
  });

  it('exports Prometheus metrics: ingest outcomes, flushes, and per-partition lag', async () => {
    const metric = (text: string, name: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(name))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    const producerMetrics = await (await fetch(`${producerUrl}/metrics`)).text();
    expect(metric(producerMetrics, 'async2_ingest_events_total{edge="http",outcome="accepted"}')).toBeGreaterThanOrEqual(acks.length);
    expect(metric(producerMetrics, 'async2_ingest_events_total{edge="http",outcome="invalid"}')).toBeGreaterThanOrEqual(7);
    await pipeline.waitUntilApplied();
    await waitFor(
      async () => {
        const text = await (await fetch(`${consumer!.url}/metrics`)).text();
        return metric(text, 'async2_flush_rows_total') > 0 && text.includes('async2_partition_lag{partition="0"} 0') && text;
      },
      { timeoutMs: 30_000, what: 'consumer metrics with flushed rows and zero lag' },
    );
  });
});

