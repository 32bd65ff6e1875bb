import type { CheckReport } from '../workload/checker';
import { FaultPipeline, scenarioSeed, sleep } from './fault-pipeline';
import { seededRandom } from '../http-workload';

// Promise 1 and 2 through consumer crashes: SIGKILL at random moments, and at the exact points
// where a crash is most dangerous (fail points). Each test ends with the checker's line. Run once
// per Kafka client the consumer can fetch with (KAFKA_CLIENT).
describe.each(['kafkajs', 'platformatic'])('consumer crashes, consumer on %s', (client) => {
  const seed = scenarioSeed();
  const random = seededRandom(seed);
  let pipeline: FaultPipeline;

  beforeAll(async () => {
    pipeline = await FaultPipeline.start({ seed, partitions: 3, consumerEnv: { KAFKA_CLIENT: client }, ttlIds: 8 });
  });
  afterAll(async () => {
    await pipeline?.close();
  });
  afterEach(async () => {
    await pipeline?.stopLoads(); // a test that failed before its own stop() leaves no load to the next
  });

  it('SIGKILL at random moments, 10 cycles, under load: nothing lost, nothing applied twice, order kept', async () => {
    const load = pipeline.load();
    const cycles = Number(process.env.FAULT_KILL_CYCLES ?? 10);
    for (let cycle = 0; cycle < cycles; cycle++) {
      const consumer = await pipeline.spawnConsumer();
      if (cycle % 4 === 3) {
        // Sometimes while it starts: during the claim, the seek, the first fetch.
        await sleep(200 + random() * 1500);
      } else {
        await pipeline.waitReady(consumer);
        await sleep(300 + random() * 2500); // mid-fold or mid-flush, whichever it is doing
      }
      consumer.child.kill('SIGKILL');
      await consumer.exited;
    }
    await load.stop();
    await pipeline.startConsumer();
    await pipeline.settle();
    const report = await pipeline.check(`sigkill x${cycles} (${client})`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, countersOutOfRange: 0, ok: true });
    expect(report.acked).toBeGreaterThan(100);
    await pipeline.consumers.at(-1)!.stop('SIGKILL');
  });

  it('SIGSTOP for 4 s, 3 times (more until the case shows, 9 at most), under load: a lagging consumer sweeps expiries before folding the writes that came meanwhile, exactly', async () => {
    // Stopped, it folds nothing; resumed, its next flush judges expiry by its clock, seconds on, while
    // the writes received during the stop (some before the expiries they follow) wait in Kafka:
    // the sweeps the checker can place only from the tombstone audit (swept-ahead=). Whether a stop
    // catches one depends on where the expiries fall (2 to 9 in 3 stops when written), so the stops
    // go on, three at a time, until the run has shown the case: every round is checked in full.
    const consumer = await pipeline.startConsumer();
    let stops = 0;
    let report: CheckReport;
    do {
      const load = pipeline.load();
      for (let i = 0; i < 3; i++, stops++) {
        await sleep(1500);
        consumer.child.kill('SIGSTOP');
        await sleep(4000); // below KAFKA_SESSION_TIMEOUT_MS: the group keeps it
        consumer.child.kill('SIGCONT');
      }
      await sleep(1500);
      await load.stop();
      await pipeline.settle();
      report = await pipeline.check(`sigstop x${stops} (${client})`);
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, countersOutOfRange: 0, ttlMismatches: 0, ok: true });
    } while (report.sweptAhead === 0 && stops < 9);
    expect(report.sweptAhead).toBeGreaterThan(0);
    await consumer.stop('SIGKILL');
  }, 240_000);

  const failPoints: Array<[string, string]> = [
    ['before-flush', 'before the flush starts'],
    ['after-upsert', 'after the upsert, before COMMIT'],
    ['after-commit', 'right after COMMIT, before the consumer records it'],
    ['during-claim', 'during the partition claim'],
  ];
  it.each(failPoints)('killed at fail point %s (%s): the next owner resumes exactly', async (point) => {
    const load = pipeline.load();
    await sleep(500);
    // Die on the third pass, so the crash comes after some flushes (or claims) succeeded.
    const doomed = await pipeline.spawnConsumer({ FAIL_POINT: `${point}@${point === 'during-claim' ? 2 : 3}` });
    const exit = await doomed.exitedWithin(60_000);
    expect(exit).toBe('SIGKILL');
    expect(doomed.logs.join('\n')).toContain(`FAIL_POINT ${point} reached`);
    await sleep(300);
    await load.stop();
    const survivor = await pipeline.startConsumer();
    await pipeline.settle();
    const report = await pipeline.check(`fail point ${point} (${client})`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, countersOutOfRange: 0, ok: true });
    await survivor.stop('SIGKILL');
  });
});
