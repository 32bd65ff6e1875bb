import { OwnBroker, waitFor } from '@async2/testing';
import { FaultPipeline, scenarioSeed, sleep } from './fault-pipeline';

// Promises 1 and 3 through broker faults, on a broker of this suite's own: the producer answers
// 503 (never 2xx) while Kafka cannot take events, recovers by itself, and client retries by
// eventId are applied once. Run once per Kafka client the producer can send with (KAFKA_CLIENT).
describe.each(['kafkajs', 'platformatic'])('broker faults, producer on %s', (client) => {
  const seed = scenarioSeed() + 2;
  let broker: OwnBroker;
  let pipeline: FaultPipeline;

  beforeAll(async () => {
    broker = await OwnBroker.start();
    pipeline = await FaultPipeline.start({
      seed,
      partitions: 3,
      brokers: broker.brokers,
      producerEnv: { PRODUCE_TIMEOUT_MS: '3000', KAFKA_CLIENT: client },
    });
    await pipeline.startConsumer();
  });
  afterAll(async () => {
    await pipeline?.close();
    await broker?.stop();
  });
  afterEach(async () => {
    await pipeline?.stopLoads(); // a test that failed before its own stop() leaves no load to the next
  });

  const acked = () => pipeline.history.attempts.filter((a) => a.outcome.type === 'ok').length;
  const unknown = () => pipeline.history.attempts.filter((a) => a.outcome.type === 'info').length;

  it('broker SIGKILL and restart mid-load: 503 while it is away, never a 2xx Kafka did not take, recovery without help', async () => {
    const load = pipeline.load({ requestTimeoutMs: 10_000 });
    await waitFor(async () => acked() > 200, { timeoutMs: 30_000, what: 'acknowledged events before the crash' });
    await broker.killHard();
    const unknownBefore = unknown();
    await sleep(5000);
    const acksDuringOutage = acked();
    await broker.launch(); // same data dir and port
    await waitFor(async () => acked() > acksDuringOutage + 200, { timeoutMs: 90_000, what: 'the producer to acknowledge again after the restart' });
    await load.stop();
    expect(unknown()).toBeGreaterThan(unknownBefore); // the outage was seen: 503s or timeouts, as info
    await pipeline.settle(120_000);
    const report = await pipeline.check(`broker sigkill + restart (${client})`);
    expect(report.problems).toEqual([]);
    // ack-mismatch = 0: every 2xx names a position that holds that very event in Kafka.
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, ackMismatches: 0, ok: true });
  });

  it('broker SIGSTOP longer than the request timeout, clients retrying by eventId: applied once', async () => {
    const load = pipeline.load({ requestTimeoutMs: 5000, retries: 4, retryDelayMs: 2000 });
    const before = acked();
    await waitFor(async () => acked() > before + 200, { timeoutMs: 30_000, what: 'acknowledged events before the stop' });
    broker.signal('SIGSTOP');
    const unknownBefore = unknown();
    await sleep(8000); // > PRODUCE_TIMEOUT_MS (3 s) and > the client's request timeout (5 s)
    broker.signal('SIGCONT');
    const acksAfterStop = acked();
    await waitFor(async () => acked() > acksAfterStop + 200, { timeoutMs: 90_000, what: 'acknowledgements after SIGCONT' });
    await load.stop();
    expect(unknown()).toBeGreaterThan(unknownBefore);
    const retriedThenAcked = pipeline.history.attempts.filter((a, i, all) => a.outcome.type === 'ok' && all.slice(0, i).some((b) => b.op.index === a.op.index && b.outcome.type === 'info'));
    expect(retriedThenAcked.length).toBeGreaterThan(0); // retries happened and succeeded
    await pipeline.settle(120_000);
    const report = await pipeline.check(`broker sigstop + retries (${client})`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, ackMismatches: 0, ok: true });
  });
});
