import { waitFor } from '@async2/testing';
import { readFileSync } from 'node:fs';
import { FaultPipeline, scenarioSeed, sleep } from './fault-pipeline';

// Promise 1 with a second owner: the OPLOG epoch fences a zombie (a paused owner that wakes up
// after another instance took its partitions), and two instances starting at once end with
// exactly one owner per partition. Run once per Kafka client the consumer can fetch with (KAFKA_CLIENT).
describe.each(['kafkajs', 'platformatic'])('ownership: zombies and racing starts, consumer on %s', (client) => {
  const PARTITIONS = 3;
  const seed = scenarioSeed() + 1;
  let pipeline: FaultPipeline;

  beforeAll(async () => {
    pipeline = await FaultPipeline.start({ seed, partitions: PARTITIONS, consumerEnv: { KAFKA_CLIENT: client }, ttlIds: 8 });
  });
  afterAll(async () => {
    await pipeline?.close();
  });
  afterEach(async () => {
    // Each test starts its own consumers and load: a test that failed midway leaves neither to the next.
    await pipeline?.stopLoads();
    await pipeline?.killConsumers();
  });

  it('a SIGSTOPped owner is replaced; after SIGCONT its flushes are fenced and it stops those partitions', async () => {
    const load = pipeline.load();
    const zombie = await pipeline.startConsumer();
    await waitFor(async () => (await pipeline.progress(zombie)).every((p) => p.committedUpTo > 0), { timeoutMs: 30_000, what: 'the first owner to commit on every partition' });
    await sleep(300); // let it fold a little more than it committed
    zombie.child.kill('SIGSTOP');

    const successor = await pipeline.startConsumer();
    await waitFor(async () => (await pipeline.progress(successor)).every((p) => p.committedUpTo > 0), { timeoutMs: 60_000, what: 'the second owner to commit' });
    await sleep(1000);
    zombie.child.kill('SIGCONT');

    await waitFor(async () => (await pipeline.progress(zombie)).every((p) => p.fenced), { timeoutMs: 30_000, what: 'the zombie to fence every partition' });
    expect(await pipeline.metric(zombie, 'async2_fenced_total')).toBe(PARTITIONS);
    expect((await fetch(`${zombie.url}/health/ready`)).status).toBe(503); // it owns nothing now
    expect(zombie.logs.join('\n')).toMatch(/partition \d: fenced: .*our epoch 1 is stale/);
    expect((await pipeline.progress(successor)).every((p) => !p.fenced && p.epoch === 2)).toBe(true);

    await sleep(500);
    await load.stop();
    await pipeline.settle();
    const report = await pipeline.check(`zombie (${client})`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, countersOutOfRange: 0, ok: true });
    await Promise.all([zombie.stop('SIGKILL'), successor.stop('SIGKILL')]);
  });

  it('an owner frozen inside its flush transaction (holding the OPLOG row lock) is replaced; after SIGCONT it is fenced', async () => {
    // PostgreSQL ends the frozen session after DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS, releasing the
    // lock the successor's claim waits for; the frozen flush is rolled back, never committed.
    const load = pipeline.load();
    const frozenEnv = { FAIL_POINT: 'after-upsert@3:stop', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '3000' };
    const frozen = await pipeline.spawnConsumer(frozenEnv);
    // Both: the stopped state can be seen before the harness has read the line written just before it.
    const froze = () => processState(frozen.child.pid!) === 'T' && frozen.logs.join('\n').includes('FAIL_POINT after-upsert reached: freezing this process (SIGSTOP)');
    await waitFor(async () => froze(), { timeoutMs: 60_000, what: 'the owner to freeze inside its flush transaction, saying so' });

    const successor = await pipeline.startConsumer({ DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '3000' });
    await waitFor(async () => (await pipeline.progress(successor)).every((p) => p.committedUpTo > 0 && !p.fenced), { timeoutMs: 60_000, what: 'the successor to commit' });
    frozen.child.kill('SIGCONT');
    await waitFor(async () => (await pipeline.progress(frozen)).every((p) => p.fenced), { timeoutMs: 30_000, what: 'the thawed owner to fence every partition' });
    await load.stop();
    await pipeline.settle();
    const report = await pipeline.check(`frozen in a transaction (${client})`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, countersOutOfRange: 0, ok: true });
    await Promise.all([frozen.stop('SIGKILL'), successor.stop('SIGKILL')]);
  });

  it('two instances starting at the same moment: exactly one owns each partition', async () => {
    const load = pipeline.load();
    const [a, b] = await Promise.all([pipeline.spawnConsumer({ INSTANCE_ID: 'racer-a' }), pipeline.spawnConsumer({ INSTANCE_ID: 'racer-b' })]);
    const owners = async () => {
      const [pa, pb, oplog] = await Promise.all([pipeline.progress(a).catch(() => []), pipeline.progress(b).catch(() => []), pipeline.probe.oplog(pipeline.topic)]);
      return Array.from({ length: PARTITIONS }, (_, partition) => {
        const active = [...pa.map((p) => ({ ...p, who: 'racer-a' })), ...pb.map((p) => ({ ...p, who: 'racer-b' }))].filter((p) => p.partition === partition && !p.fenced);
        return { partition, active: active.map((p) => p.who), oplogOwner: oplog.get(partition)?.owner, sameEpoch: active.length === 1 && active[0].epoch === oplog.get(partition)?.epoch };
      });
    };
    await waitFor(async () => (await owners()).every((o) => o.active.length === 1), { timeoutMs: 60_000, what: 'one active owner per partition' });
    await sleep(1500); // several claim checks later, it must still be so
    for (const o of await owners()) {
      expect(o.active).toHaveLength(1);
      expect(o.oplogOwner).toBe(o.active[0]);
      expect(o.sameEpoch).toBe(true);
    }
    await load.stop();
    await pipeline.settle();
    const report = await pipeline.check(`racing starts (${client})`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, ok: true });
  });

  it('one instance per partition, all starting at the same moment (the StatefulSet starts its pods in parallel): each folds and commits its own', async () => {
    const load = pipeline.load();
    const pods = await Promise.all(Array.from({ length: PARTITIONS }, (_, n) => pipeline.spawnConsumer({ INSTANCE_ID: `pod-${n}`, PARTITIONS: String(n) })));
    const committed = async () => Promise.all(pods.map(async (pod) => (await pipeline.progress(pod).catch(() => [])).map((p) => ({ partition: p.partition, committedUpTo: p.committedUpTo, fenced: p.fenced }))));
    let seen: Awaited<ReturnType<typeof committed>> = [];
    const eachCommitsItsOwn = async () => {
      seen = await committed();
      return seen.every((own, n) => own.length === 1 && own[0].partition === n && own[0].committedUpTo > 0 && !own[0].fenced);
    };
    await waitFor(eachCommitsItsOwn, { timeoutMs: 60_000, what: 'every pod to commit its own partition' }).catch((error: Error) => {
      throw new Error(`${error.message}; each pod's partitions: ${JSON.stringify(seen)}`);
    });
    const oplog = await pipeline.probe.oplog(pipeline.topic);
    for (let n = 0; n < PARTITIONS; n++) expect(oplog.get(n)?.owner).toBe(`pod-${n}`);
    await load.stop();
    await pipeline.settle();
    const report = await pipeline.check(`parallel pods (${client})`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ lost: 0, duplicated: 0, reordered: 0, ok: true });
  });
});

/** The process state letter from /proc (R running, S sleeping, T stopped). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
