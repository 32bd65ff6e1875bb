import { encodeEventRecord } from '@async2/data-access';
import { partitionForKey } from '@async2/domain';
import { type AppProcess, MetricsScrape, TestPipeline, uniqueName, waitFor } from '@async2/testing';
import type { Producer } from 'kafkajs';

// Issue 15, finding 2: records removed from Kafka (here with deleteRecords, kafkajs deleteTopicRecords, as retention would)
// before the consumer applied them. The partition must stop and say so (readiness, metric, log);
// other partitions go on; only the operator's ACCEPT_OFFSET_GAP moves past the gap. Once per Kafka
// client the consumer can fetch with (KAFKA_CLIENT): what a fetch below the log start answers is the client's part.
describe.each(['kafkajs', 'platformatic'])('a gap in a partition\'s offsets, consumer on %s', (client) => {
  const PARTITIONS = 2;
  let pipeline: TestPipeline;
  let producer: Producer;
  let seq = 0;

  /** IDs that hash to `partition` under the topic's partition count, as the producer would send them. */
  const idOn = (partition: number) => {
    for (;;) {
      const id = `gap-${seq++}`;
      if (partitionForKey(id, PARTITIONS) === partition) return id;
    }
  };
  const produce = async (partition: number, count: number) => {
    const messages = Array.from({ length: count }, () => ({ partition, ...encodeEventRecord({ id: idOn(partition), op: 'set', data: { seq }, ts: Date.now(), src: 'gap-test' }) }));
    await producer.send({ topic: pipeline.topic, acks: -1, messages });
  };
  /** What retention does to the oldest records: Kafka's DeleteRecords (the admin must know the partition's leader first). */
  const deleteRecordsBefore = async (partition: number, offset: number) => {
    await pipeline.admin.fetchTopicMetadata({ topics: [pipeline.topic] });
    await pipeline.admin.deleteTopicRecords({ topic: pipeline.topic, partitions: [{ partition, offset: String(offset) }] });
  };
  const oplog = async () => {
    const rows = await pipeline.probe.query<{ partition: number; next: number }>('SELECT partition, next_offset::int AS next FROM oplog WHERE topic = $1', [pipeline.topic]);
    return new Map<number, number>(rows.map((r) => [r.partition, r.next]));
  };
  const ready = async (app: AppProcess) => {
    const response = await fetch(`${app.url}/health/ready`);
    const body = (await response.json()) as { error?: { ownership?: { message?: string; partitions: Array<{ partition: number; stoppedAtGap?: unknown }> } } };
    return { status: response.status, ownership: body.error?.ownership };
  };

  beforeAll(async () => {
    pipeline = await TestPipeline.open({
      name: 'gap',
      partitions: PARTITIONS,
      // A Kafka group of its own: members other suites left behind (killed, not yet expired) would hold up its joins.
      env: { CONSUMER_GROUP: uniqueName('group') },
      consumerEnv: { KAFKA_CLIENT: client, FLUSH_INTERVAL_MS: '100', PROGRESS_CHECK_MS: '200' },
      stopSignal: 'SIGKILL',
    });
    await pipeline.admin.createTopics({ waitForLeaders: true, topics: [{ topic: pipeline.topic, numPartitions: PARTITIONS }] });
    producer = await pipeline.kafkaProducer();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('stops the partition (at the claim and while running), says which offsets, and moves on only when the operator accepts them', async () => {
    // 1. Both partitions applied up to offset 5.
    await Promise.all([produce(0, 5), produce(1, 5)]);
    const first = await pipeline.startConsumer();
    await waitFor(async () => { const o = await oplog(); return o.get(0) === 5 && o.get(1) === 5; }, { timeoutMs: 30_000, what: 'OPLOG at 5 on both partitions' });
    await first.stop();

    // 2. While it is stopped, partition 0 gets 5 more records and loses 5..7 to deleteRecords.
    await produce(0, 5);
    await deleteRecordsBefore(0, 8);

    // 3. At the claim: partition 0 stops at once; partition 1 keeps folding.
    const second = await pipeline.spawnConsumer();
    const atClaim = await waitFor(async () => { const r = await ready(second); return r.ownership?.partitions.length === PARTITIONS ? r : undefined; }, { timeoutMs: 60_000, what: 'readiness with both partitions' });
    expect(atClaim.status).toBe(503);
    expect(atClaim.ownership?.message).toBe('partition 0 stopped at a gap: offsets 5..7 were removed before they were applied; ACCEPT_OFFSET_GAP=0:8 moves past them');
    expect(atClaim.ownership?.partitions.find((p) => p.partition === 0)?.stoppedAtGap).toEqual({ partition: 0, from: 5, to: 7, resumeAt: 8 });
    await produce(1, 5);
    await waitFor(async () => (await oplog()).get(1) === 10, { timeoutMs: 30_000, what: 'partition 1 to keep folding' });
    expect((await oplog()).get(0)).toBe(5); // nothing past the gap, not even offsets 8 and 9
    let metrics = await MetricsScrape.of(second.url);
    expect(metrics.sum('async2_offset_gaps_total', { partition: '0' })).toBe(1);
    expect(metrics.sum('async2_offset_gaps_total', { partition: '1' })).toBe(0);
    expect(metrics.sum('async2_paused_partitions', { reason: 'offset-gap' })).toBe(1);
    expect(second.logs.join('\n')).toMatch(/partition 0: offsets 5\.\.7 were removed from Kafka before they were applied .*ACCEPT_OFFSET_GAP=0:8/);

    // 4. While running: partition 1 loses records before the consumer fetched them (it is frozen).
    // A fetch already answered before the freeze may still hand it offset 10, so the gap starts at
    // 10 or 11: whichever it is, it must equal what OPLOG says was applied.
    second.child.kill('SIGSTOP');
    await produce(1, 1); // offset 10
    await produce(1, 14); // offsets 11..24
    await deleteRecordsBefore(1, 22);
    second.child.kill('SIGCONT');
    const running = await waitFor(async () => { const r = await ready(second); return r.ownership?.message?.includes('partition 1') ? r : undefined; }, { timeoutMs: 60_000, what: 'partition 1 to stop at its gap' });
    const [, from] = /partition 1 stopped at a gap: offsets (\d+)\.\.21 were removed before they were applied; ACCEPT_OFFSET_GAP=1:22 moves past them/.exec(running.ownership?.message ?? '') ?? [];
    expect(['10', '11']).toContain(from);
    await waitFor(async () => (await oplog()).get(1) === Number(from), { timeoutMs: 10_000, what: `OPLOG of partition 1 at ${from}` });
    expect(second.logs.join('\n')).not.toMatch(/partition 1: .*moving past them/);
    metrics = await MetricsScrape.of(second.url);
    expect(metrics.sum('async2_offset_gaps_total', { partition: '1' })).toBe(1);
    expect(metrics.sum('async2_paused_partitions', { reason: 'offset-gap' })).toBe(2);
    await second.stop();

    // 5. The operator accepts both losses: the partitions move past them, once, and the consumer is ready.
    const third = await pipeline.startConsumer({ ACCEPT_OFFSET_GAP: '0:8,1:22' });
    await waitFor(async () => { const o = await oplog(); return o.get(0) === 10 && o.get(1) === 25; }, { timeoutMs: 30_000, what: 'both partitions past their gaps' });
    expect((await ready(third)).status).toBe(200);
    expect(third.logs.join('\n')).toMatch(/partition 0: offsets 5\.\.7 were removed before they were applied; moving past them as ACCEPT_OFFSET_GAP=0:8 says/);
    await third.stop();

    // 6. The setting left in place is inert: it says so, and a new gap still stops the partition.
    await produce(0, 5); // 10..14
    await deleteRecordsBefore(0, 13);
    const fourth = await pipeline.spawnConsumer({ ACCEPT_OFFSET_GAP: '0:8,1:22' });
    const again = await waitFor(async () => { const r = await ready(fourth); return r.ownership?.message ? r : undefined; }, { timeoutMs: 60_000, what: 'the new gap to stop partition 0' });
    expect(again.ownership?.message).toBe('partition 0 stopped at a gap: offsets 10..12 were removed before they were applied; ACCEPT_OFFSET_GAP=0:13 moves past them');
    expect(fourth.logs.join('\n')).toMatch(/ACCEPT_OFFSET_GAP=0:8 is not ahead of OPLOG next_offset 10: it has no effect any more; remove it/);
    await fourth.stop();
  }, 240_000);
});
