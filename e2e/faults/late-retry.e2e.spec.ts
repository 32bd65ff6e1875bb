import { OwnBroker, readWholeTopic, waitFor } from '@async2/testing';
import { FaultPipeline, scenarioSeed, sleep } from './fault-pipeline';

const PRODUCE_TIMEOUT_MS = 2000;

// Issue 15, finding 3: a record whose caller was answered 503 is never sent afterwards. With a
// dedupe window of 2, a late copy of the original (sent when the stuck request ended, as before)
// would land before three other eventIds of its ID and the client's retry after them: applied twice.
describe('late client retry after a producer stall, DEDUPE_WINDOW=2', () => {
  let broker: OwnBroker;
  let pipeline: FaultPipeline;

  beforeAll(async () => {
    broker = await OwnBroker.start();
    pipeline = await FaultPipeline.start({
      seed: scenarioSeed() + 7,
      partitions: 1,
      brokers: broker.brokers,
      producerEnv: { PRODUCE_TIMEOUT_MS: String(PRODUCE_TIMEOUT_MS) },
      consumerEnv: { DEDUPE_WINDOW: '2' }, // the README's promise, at its smallest useful window
    });
    await pipeline.startConsumer();
  });
  afterAll(async () => {
    await pipeline?.close();
    await broker?.stop();
  });

  const post = async (event: object): Promise<number> => {
    const response = await fetch(`${pipeline.producer.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    await response.text();
    return response.status;
  };
  /** A client that retries (same eventId) until it gets its 202. */
  const postUntilAccepted = (event: object) => waitFor(async () => (await post(event)) === 202, { timeoutMs: 60_000, intervalMs: 250, what: `202 for ${JSON.stringify(event)}` });

  it('the original answered 503 while queued is never sent; the retry after three other eventIds is applied once', async () => {
    const id = `late-${pipeline.topic}`;
    const original = { id, op: 'incr', eventId: 'x-original', data: { n: 1 } };
    await postUntilAccepted({ id: 'warm-up', op: 'set', data: {} });

    broker.signal('SIGSTOP'); // the producer stalls: its next request hangs on the wire
    const onTheWire = post({ id: 'blocker', op: 'set', data: { b: 1 } });
    await sleep(300); // the blocker's produce request is out; the original queues behind it
    const queued = post(original);
    expect(await onTheWire).toBe(503); // outcome unknown: it was on the wire
    expect(await queued).toBe(503); // withdrawn: never sent
    broker.signal('SIGCONT'); // the stuck request ends; before the fix, the queued original went out now

    for (const [i, n] of [2, 4, 8].entries()) await postUntilAccepted({ id, op: 'incr', eventId: `x-other-${i}`, data: { n } });
    await postUntilAccepted(original); // the client's late retry: more than DEDUPE_WINDOW eventIds after the original

    await pipeline.settle(60_000);
    const row = (await pipeline.probe.eventsTable()).get(id);
    expect(row?.state).toEqual({ n: 15 }); // 1 + 2 + 4 + 8: the original once (16 had it been applied twice)
    expect(row?.version).toBe(4);
    const copies = (await readWholeTopic(pipeline.kafka, pipeline.topic)).filter((r) => r.event.eventId === 'x-original');
    expect(copies).toHaveLength(1); // in Kafka once: the 503'd original was never sent
  });
});
