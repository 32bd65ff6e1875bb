import { type AppProcess, TestPipeline, uniqueName, waitFor } from '@async2/testing';

// Issue 15, finding 9: the topic is deleted and created again under the same name while the
// database is kept (a second clone's fresh broker, lost broker data, a recreated topic). OPLOG's
// next_offset counts the old topic's records: resuming there would treat every new record as
// applied, and `after=` would answer at once. The consumer must refuse, and the read must wait.
describe('a recreated topic under a kept database', () => {
  let pipeline: TestPipeline;

  const oplog = () =>
    pipeline.probe.query<{ partition: number; nextOffset: number; epoch: number; topicId: string }>(
      'SELECT partition, next_offset::int AS "nextOffset", epoch::int AS epoch, topic_id AS "topicId" FROM oplog WHERE topic = $1 ORDER BY partition',
      [pipeline.topic],
    );
  const post = (app: AppProcess, event: object) =>
    fetch(`${app.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { token: string } }));

  beforeAll(async () => {
    // A Kafka group of its own: members other suites left behind (killed, not yet expired) would hold up its joins.
    pipeline = await TestPipeline.open({ name: 'recreated', partitions: 2, env: { CONSUMER_GROUP: uniqueName('group') }, stopSignal: 'SIGKILL' });
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('the consumer refuses to resume, naming the cause and the ways out, and after= does not answer from the old position', async () => {
    const { topic, admin } = pipeline;
    // 1. A pipeline folds 30 events of the first topic.
    let producer = await pipeline.startProducer();
    const consumer = await pipeline.startConsumer({ FLUSH_INTERVAL_MS: '100' });
    for (let i = 0; i < 30; i++) expect((await post(producer, { id: `user-${i}`, op: 'set', data: { i } })).status).toBe(202);
    await waitFor(async () => (await oplog()).reduce((sum, r) => sum + r.nextOffset, 0) === 30, { timeoutMs: 30_000, what: 'OPLOG to cover the 30 events' });
    const before = await oplog();
    expect(before.every((r) => /^[0-9a-f]{32}$/.test(r.topicId))).toBe(true);
    await Promise.all([producer.stop(), consumer.stop()]);

    // 2. The topic is deleted and created again with the same name (new id, offsets from 0).
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), { timeoutMs: 30_000, what: 'the topic to be deleted' });
    await waitFor(() => admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] }).then(() => true, () => false), { timeoutMs: 30_000, what: 'the topic to be created again' });

    // 3. The consumer refuses at its claim, says why and what to do, and changes nothing in OPLOG.
    const refused = await pipeline.spawnConsumer();
    expect(await refused.exited).toBe(1);
    const log = refused.logs.join('\n');
    expect(log).toMatch(new RegExp(`OPLOG was folded from another topic named ${topic} \\(topic id ${before[0].topicId}\\); Kafka's ${topic} now has id [0-9a-f]{32}`));
    expect(log).toMatch(/Refusing to resume.*Ways out.*fresh database.*DELETE FROM oplog/);
    expect(log).not.toMatch(/resuming at offset/);
    expect(await oplog()).toEqual(before);

    // 4. A write to the new topic gets a low offset; OPLOG's old next_offset must not answer for it.
    producer = await pipeline.startProducer({ READ_AFTER_TIMEOUT_MS: '1500' });
    const written = await post(producer, { id: 'user-0', op: 'set', data: { fresh: true } });
    expect(written.status).toBe(202);
    const [partition, offset] = written.body.token.split(':').map(Number);
    expect(offset).toBeLessThan(before.find((r) => r.partition === partition)?.nextOffset ?? 0);
    const read = await fetch(`${producer.url}/v1/entities/user-0?after=${written.body.token}`);
    expect(read.status).toBe(504); // waited for a consumer to apply it; never the old state, never at once
  }, 180_000);
});
