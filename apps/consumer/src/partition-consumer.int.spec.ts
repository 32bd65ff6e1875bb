import { encodeEventRecord, KAFKA_CLIENTS, type KafkaClientName } from '@async2/data-access';
import type { StampedEvent } from '@async2/domain';
import { KafkaConnections } from '@async2/platform';
import {
  createTestDatabase,
  createTestTopic,
  DatabaseProbe,
  migratedDataSource,
  readWholeTopic,
  referenceFold,
  type TestDatabase,
  testKafka,
  uniqueName,
  waitFor,
} from '@async2/testing';
import { Logger, type LoggerService } from '@nestjs/common';
import { type Admin, type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { loadConsumerConfig } from './config/consumer.config';
import { PartitionConsumer } from './partition-consumer.service';

// Real Kafka and PostgreSQL, the consumer service without Nest's container: static ownership,
// the fold and the timed flush, and a second instance taking partitions over (fencing). Once per
// Kafka client the consumer fetches through (KAFKA_CLIENT).

const DEDUPE_WINDOW = 16;
let db: TestDatabase;
let dataSource: DataSource;
let probe: DatabaseProbe;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let topic: string;
let dlq: string;
let dropTopic: () => Promise<void>;
let group: string;
const logs: string[] = [];
process.env.KAFKAJS_LOG_LEVEL = 'NOTHING'; // rebalances are expected here; the services' own logs are captured below
const running: Array<{ consumer: PartitionConsumer; connections: KafkaConnections }> = [];

function consumerSuites(client: KafkaClientName): void {
beforeAll(async () => {
  group = uniqueName('consumer-group');
  const capture = (message: unknown) => void logs.push(String(message));
  Logger.overrideLogger({ log: capture, warn: capture, error: capture, debug: capture, verbose: capture } satisfies LoggerService);
  db = await createTestDatabase();
  dataSource = await migratedDataSource(db.url);
  probe = await DatabaseProbe.connect(db.url);
  kafka = testKafka('partition-consumer-test');
  admin = kafka.admin();
  await admin.connect();
  ({ topic, dlq, drop: dropTopic } = await createTestTopic(admin, 4));
  // Keyed by id through Kafka's own partitioner, as the producer app does.
  producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
});

afterAll(async () => {
  for (const { consumer, connections } of running) {
    await consumer.beforeApplicationShutdown('test end').catch(() => undefined);
    await connections.onApplicationShutdown();
  }
  await producer?.disconnect();
  await dropTopic?.();
  await admin?.disconnect();
  await probe?.close();
  await dataSource?.destroy();
  await db?.drop();
  running.length = 0;
  logs.length = 0;
}, 60_000);

interface Instance {
  service: PartitionConsumer;
  /** Batches the Kafka port's source handed this instance so far. */
  batches: number;
}

/** Starts an instance the way the app's module does: config from the environment, then the Nest hooks in order. */
async function startInstance(instanceId: string, partitions: string): Promise<Instance> {
  const config = loadConsumerConfig(
    {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      KAFKA_CLIENT: client,
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: dlq,
      CONSUMER_GROUP: group,
      INSTANCE_ID: instanceId,
      DATABASE_URL: db.url,
      PARTITIONS: partitions,
      FLUSH_INTERVAL_MS: '100',
      DEDUPE_WINDOW: String(DEDUPE_WINDOW),
    },
    'test-host',
  );
  const connections = new KafkaConnections(config);
  const service = new PartitionConsumer(config, connections, dataSource);
  const instance: Instance = { service, batches: 0 };
  await connections.onModuleInit();
  // Count the batches the port's source hands the service, whichever client reads them.
  const port = connections.port;
  const openSource = port.source.bind(port);
  port.source = (options) => openSource({ ...options, handle: (batch) => (instance.batches++, options.handle(batch)) });
  running.push({ consumer: service, connections });
  await service.onApplicationBootstrap();
  return instance;
}

let clock = 1_700_000_000_000;
/**
 * Events over 40 IDs, mostly incr (a double application shows in the counts), with client
 * retries (the same record twice, same eventId), deletes, and one record that is not JSON.
 */
function workload(round: string, count: number): Array<{ key: string; value: Buffer | string }> {
  const records: Array<{ key: string; value: Buffer | string }> = [];
  for (let i = 0; i < count; i++) {
    const id = `user-${i % 40}`;
    const base = { id, ts: clock++, src: 'producer-test', eventId: i % 2 === 0 ? `${round}-${i}` : undefined };
    const event: StampedEvent =
      i % 13 === 0
        ? { ...base, op: 'delete' }
        : i % 5 === 0
          ? { ...base, op: 'set', data: { round, i, n: 100 } }
          : i % 5 === 4
            ? { ...base, op: 'merge', data: { tags: { [round]: i } } }
            : { ...base, op: 'incr', data: { n: 1, total: i } };
    if (event.eventId === undefined) delete event.eventId;
    const record = encodeEventRecord(event);
    records.push({ key: id, value: record.value });
    if (i % 10 === 0) records.push({ key: id, value: record.value }); // a retry: must apply once
  }
  records.push({ key: 'user-1', value: `not json (${round})` });
  return records;
}

async function produce(records: Array<{ key: string; value: Buffer | string }>): Promise<void> {
  await producer.send({ topic, acks: -1, messages: records });
}

async function highWatermarks(): Promise<Map<number, number>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
}

/** Waits until OPLOG has reached the end of every partition, then EVENTS must equal the fold of the whole topic. */
async function expectMaterialisedExactly(): Promise<Map<number, { nextOffset: number; epoch: number; owner: string }>> {
  const highs = await highWatermarks();
  const oplog = await waitFor(
    async () => {
      const rows = await probe.oplog(topic);
      return [...highs].every(([p, high]) => rows.get(p)?.nextOffset === high) && rows;
    },
    { timeoutMs: 60_000, what: `OPLOG to reach ${JSON.stringify([...highs])}` },
  );
  const expected = [...referenceFold(await readWholeTopic(kafka, topic), DEDUPE_WINDOW).values()].filter((r) => r.version > 0);
  const table = await probe.eventsTable();
  expect(JSON.parse(JSON.stringify([...table.values()].sort(byId)))).toEqual(JSON.parse(JSON.stringify(expected.sort(byId))));
  return oplog;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function deadLetteredOffsets(): Promise<string[]> {
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader'), maxWaitTimeInMs: 100 });
  const [{ high }] = await admin.fetchTopicOffsets(dlq);
  let read = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: dlq, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      read++;
      if (message.headers?.['x-dlq-reason']) seen.add(`${message.headers['x-source-partition']}:${message.headers['x-source-offset']}`);
    },
  });
  try {
    await waitFor(() => read >= Number(high), { what: 'the DLQ to its end' });
  } finally {
    await consumer.disconnect();
  }
  return [...seen].sort();
}

async function poisonOffsets(): Promise<string[]> {
  const all = new Set((await readWholeTopic(kafka, topic)).map((e) => `${e.partition}:${e.offset}`));
  const offsets: string[] = [];
  for (const [p, high] of await highWatermarks()) for (let o = 0; o < high; o++) if (!all.has(`${p}:${o}`)) offsets.push(`${p}:${o}`);
  return offsets.sort();
}

describe('consumer instances sharing a topic', () => {
  let first: Instance;
  let second: Instance;

  it('each materialise their own partitions exactly once, and dead-letter what is not an event', async () => {
    first = await startInstance('consumer-a', '0,1');
    second = await startInstance('consumer-b', '2,3');
    await produce(workload('r1', 400));
    expect([...(await highWatermarks()).values()].every((high) => high > 0)).toBe(true);

    const oplog = await expectMaterialisedExactly();
    expect([...oplog].sort().map(([p, row]) => [p, row.owner, row.epoch])).toEqual([
      [0, 'consumer-a', 1],
      [1, 'consumer-a', 1],
      [2, 'consumer-b', 1],
      [3, 'consumer-b', 1],
    ]);
    expect(first.service.activePartitions()).toEqual([0, 1]);
    expect(second.service.activePartitions()).toEqual([2, 3]);
    expect(await deadLetteredOffsets()).toEqual(await poisonOffsets());
  });

  it('hand every partition to a third instance that claims them all; the others are fenced, say so, and the result stays exact', async () => {
    const third = await startInstance('consumer-c', 'all');
    expect(third.service.progress().map((p) => p.epoch)).toEqual([2, 2, 2, 2]);
    // New records reach the old owners too (they still advertise their partitions); their flushes are refused.
    await produce(workload('r2', 400));

    const oplog = await expectMaterialisedExactly();
    expect([...oplog.values()].map((row) => [row.owner, row.epoch])).toEqual(Array(4).fill(['consumer-c', 2]));
    await waitFor(() => first.service.activePartitions().length === 0 && second.service.activePartitions().length === 0, {
      what: 'the old owners to notice they were fenced',
    });
    expect(third.service.activePartitions()).toEqual([0, 1, 2, 3]);
    for (const p of [0, 1, 2, 3]) expect(logs).toContainEqual(expect.stringMatching(new RegExp(`partition ${p}: fenced: .*epoch 1 is stale`)));
    // Poison may be dead-lettered by a fenced owner and again by the new one: at least once, none lost.
    expect(await deadLetteredOffsets()).toEqual(await poisonOffsets());
  });

  it('stop fetching partitions they were fenced from (no refetch loop on the broker)', async () => {
    const zombieBatchesBefore = first.batches + second.batches;
    await produce(workload('r3', 40));
    await expectMaterialisedExactly();
    // A batch or two per partition (the one that finds the lane fenced, one already in flight), not
    // the same batch redelivered in a loop (hundreds within this window).
    expect(first.batches + second.batches - zombieBatchesBefore).toBeLessThanOrEqual(8);
  });
});
}

describe.each(KAFKA_CLIENTS)('with the %s client', (client) => consumerSuites(client));
