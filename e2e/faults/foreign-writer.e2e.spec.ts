import { encodeEventRecord } from '@async2/data-access';
import { partitionForKey } from '@async2/domain';
import { type AppProcess, MetricsScrape, TestPipeline, readTopic, uniqueName, waitFor } from '@async2/testing';
import type { Producer } from 'kafkajs';

// Issue 15, finding 5: a writer that does not use our partitioner (or a producer that still had an
// older partition count) puts an ID's record on another partition. Two lanes would then both write
// that ID's absolute state; the consumer must dead-letter the misplaced record instead.
describe('a record on the wrong partition', () => {
  const PARTITIONS = 3;
  let pipeline: TestPipeline;
  let producer: Producer;
  let consumer: AppProcess;

  const query = <T>(sql: string, params: unknown[]): Promise<T[]> => pipeline.probe.query<T>(sql, params);

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'foreign', partitions: PARTITIONS, env: { CONSUMER_GROUP: uniqueName('group') } });
    consumer = await pipeline.startConsumer({ FLUSH_INTERVAL_MS: '100' });
    producer = await pipeline.kafkaProducer();
  });
  afterAll(async () => {
    await pipeline?.close();
  });

  it('goes to the DLQ with the reason, and the ID keeps the state its own partition gave it', async () => {
    const { topic, kafka } = pipeline;
    const id = 'account-42';
    const home = partitionForKey(id, PARTITIONS);
    const wrong = (home + 1) % PARTITIONS;
    const event = (data: Record<string, number>) => encodeEventRecord({ id, op: 'set', data, ts: Date.now(), src: 'foreign-writer' });
    // A foreign writer with its own idea of partitions: the key is right, the partition is not.
    await producer.send({ topic, acks: -1, messages: [{ partition: home, ...event({ balance: 100 }) }] });
    await producer.send({ topic, acks: -1, messages: [{ partition: wrong, ...event({ balance: -1 }) }] });

    await waitFor(async () => (await query<{ n: number }>('SELECT coalesce(sum(next_offset), 0)::int AS n FROM oplog WHERE topic = $1', [topic]))[0].n === 2, { timeoutMs: 60_000, what: 'both records to be passed' });
    expect(await query('SELECT state, version::int AS version, partition FROM events WHERE id = $1', [id])).toEqual([{ state: { balance: 100 }, version: 1, partition: home }]);

    const dead = await readTopic(kafka, `${topic}.dlq`, (_, __, m) => ({
      key: m.key?.toString(),
      value: m.value?.toString(),
      reason: m.headers?.['x-dlq-reason']?.toString(),
      sourcePartition: m.headers?.['x-source-partition']?.toString(),
      sourceOffset: m.headers?.['x-source-offset']?.toString(),
    }));
    expect(dead).toEqual([
      {
        key: id,
        value: expect.stringContaining('"balance":-1'),
        reason: `record for id "account-42" was read from partition ${wrong}, but murmur2 puts that id on partition ${home} of ${PARTITIONS}`,
        sourcePartition: String(wrong),
        sourceOffset: '0',
      },
    ]);
    const metrics = await MetricsScrape.of(consumer.url);
    expect(metrics.sum('async2_dlq_records_total', { partition: String(wrong) })).toBe(1);
    expect(metrics.sum('async2_version_refused_total')).toBe(0);
  }, 90_000);
});
