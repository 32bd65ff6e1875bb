import { OwnBroker, readTopic, testBrokers, testKafka, uniqueName } from '@async2/testing';
import type { KafkaSettings } from '../kafka-client.options';
import { KAFKA_CLIENTS, type KafkaAdmin, type KafkaClientName, type KafkaPort, type KafkaRecord } from './kafka.port';
import { openKafkaPort } from './open-kafka-port';
import { SendTimeoutError, UnknownPartitionError, UnknownTopicError } from './send-errors';

// The port's contract, the same spec for every client, on a real broker.

const settings = (client: KafkaClientName, brokers: string[]): KafkaSettings => ({ client, brokers, clientId: `port-${client}`, ssl: false });

/** `count` records spread over `partitions`, each value naming its batch and index. */
function records(batch: string, count: number, partitions: number): KafkaRecord[] {
  return Array.from({ length: count }, (_, i) => ({ partition: (i * 7) % partitions, key: `id-${i}`, value: `${batch}:${i}`, headers: { traceparent: `tp-${batch}` } }));
}

/** What the topic holds: partition -> offset -> value, read by an independent client (kafkajs consumer). */
async function stored(brokers: string[], topic: string): Promise<Array<{ partition: number; offset: number; value: string; traceparent: string }>> {
  return readTopic(testKafka('port-reader', brokers), topic, (partition, offset, m) => ({ partition, offset, value: String(m.value), traceparent: String(m.headers?.traceparent) }));
}

describe.each(KAFKA_CLIENTS)('the Kafka port on %s', (client) => {
  const brokers = testBrokers();
  let port: KafkaPort;
  let admin: KafkaAdmin;
  const topic = uniqueName(`port-${client}`);

  beforeAll(async () => {
    port = await openKafkaPort(settings(client, brokers));
    admin = port.admin();
    await admin.createTopics([{ topic, partitions: 4, replicationFactor: 1 }]);
  }, 30_000);
  afterAll(() => admin.close());

  it('admin: creating an existing topic again is a no-op; partition count and end offsets come from the topic', async () => {
    await admin.createTopics([{ topic, partitions: 9, replicationFactor: 1 }]);
    expect(await admin.partitionCount(topic)).toBe(4);
    const fresh = uniqueName(`port-${client}-fresh`);
    await admin.createTopics([{ topic: fresh, partitions: 2, replicationFactor: 1, config: { 'cleanup.policy': 'compact' } }]);
    expect(await admin.endOffsets(fresh)).toEqual(new Map([[0, 0], [1, 0]]));
    await expect(admin.partitionCount(uniqueName('no-such-topic'))).rejects.toBeInstanceOf(UnknownTopicError);
  });

  it('records land at the offsets answered, in the order sent per partition', async () => {
    const sender = port.sender({ sendTimeoutMs: 10_000 });
    try {
      const batches = ['a', 'b', 'c'].map((name) => ({ name, records: records(name, 50, 4) }));
      // Concurrent callers: the sender takes them one at a time, in the order asked.
      const answers = await Promise.all(batches.map((b) => sender.send(topic, b.records)));
      const expected = batches.flatMap((b, i) => b.records.map((r, j) => ({ partition: r.partition, offset: answers[i][j], value: r.value as string, traceparent: `tp-${b.name}` })));
      expect(new Set(expected.map((e) => `${e.partition}:${e.offset}`)).size).toBe(150);
      const sortedExpected = [...expected].sort((x, y) => x.partition - y.partition || x.offset - y.offset);
      expect(await stored(brokers, topic)).toEqual(sortedExpected);
      expect(await admin.endOffsets(topic)).toEqual(new Map([0, 1, 2, 3].map((p) => [p, expected.filter((e) => e.partition === p).length])));
    } finally {
      await sender.close();
    }
  }, 60_000);

  it('a record for a partition the topic does not have fails the whole send; nothing of it is stored', async () => {
    const sender = port.sender({ sendTimeoutMs: 10_000 });
    try {
      const before = await admin.endOffsets(topic);
      const bad = [...records('bad', 6, 4), { partition: 4, key: 'x', value: 'x' }];
      await expect(sender.send(topic, bad)).rejects.toThrow(UnknownPartitionError);
      await expect(sender.send(topic, bad)).rejects.toThrow(`topic ${topic} has 4 partitions (0-3); no partition 4: nothing was sent`);
      expect(await admin.endOffsets(topic)).toEqual(before);
      // the sender still works
      const [offset] = await sender.send(topic, [{ partition: 2, key: 'k', value: 'after' }]);
      expect(offset).toBe(before.get(2));
    } finally {
      await sender.close();
    }
  }, 60_000);

  it('admin: start offsets are the log start, which deleteRecords (like retention) moves up', async () => {
    const trimmed = uniqueName(`port-${client}-trimmed`);
    await admin.createTopics([{ topic: trimmed, partitions: 2, replicationFactor: 1 }]);
    const sender = port.sender({ sendTimeoutMs: 10_000 });
    try {
      await sender.send(trimmed, records('t', 10, 2));
    } finally {
      await sender.close();
    }
    expect(await admin.startOffsets(trimmed)).toEqual(new Map([[0, 0], [1, 0]]));
    const kafkaAdmin = testKafka('port-trim', brokers).admin();
    await kafkaAdmin.connect();
    try {
      await kafkaAdmin.fetchTopicMetadata({ topics: [trimmed] }); // deleteTopicRecords finds leaders only in loaded metadata
      await kafkaAdmin.deleteTopicRecords({ topic: trimmed, partitions: [{ partition: 1, offset: '3' }] });
    } finally {
      await kafkaAdmin.disconnect();
    }
    expect(await admin.startOffsets(trimmed)).toEqual(new Map([[0, 0], [1, 3]]));
    expect(await admin.endOffsets(trimmed)).toEqual(new Map([[0, 5], [1, 5]]));
  }, 60_000);

  it('a send to a topic that does not exist fails clearly, and creates nothing', async () => {
    const sender = port.sender({ sendTimeoutMs: 10_000 });
    const missing = uniqueName('no-such-topic');
    try {
      await expect(sender.send(missing, records('m', 2, 1))).rejects.toThrow(new UnknownTopicError(missing).message);
      await expect(admin.partitionCount(missing)).rejects.toBeInstanceOf(UnknownTopicError);
    } finally {
      await sender.close();
    }
  }, 60_000);
});

describe.each(KAFKA_CLIENTS)('the Kafka port on %s, its broker SIGSTOPped', (client) => {
  const BOUND_MS = 4000;
  let broker: OwnBroker;
  let port: KafkaPort;
  let admin: KafkaAdmin;
  const topic = uniqueName(`port-stop-${client}`);

  beforeAll(async () => {
    broker = await OwnBroker.start();
    port = await openKafkaPort(settings(client, broker.brokers));
    admin = port.admin();
    await admin.createTopics([{ topic, partitions: 2, replicationFactor: 1 }]);
  }, 120_000);
  afterAll(async () => {
    await admin?.close();
    await broker?.stop();
  }, 60_000);

  it('a send the broker does not answer fails within its bound; after SIGCONT the next send is stored at the offsets answered, and what the broker appended is stored once', async () => {
    const sender = port.sender({ sendTimeoutMs: BOUND_MS });
    try {
      await sender.send(topic, records('before', 4, 2));
      broker.signal('SIGSTOP');
      const started = Date.now();
      const stopped = sender.send(topic, records('during', 4, 2));
      await expect(stopped).rejects.toBeInstanceOf(SendTimeoutError);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(BOUND_MS - 50); // setTimeout may fire a hair early
      expect(took).toBeLessThan(BOUND_MS + 1000);
      broker.signal('SIGCONT');
      const after = await sender.send(topic, records('after', 4, 2));
      const log = await stored(broker.brokers, topic);
      const values = log.map((r) => r.value);
      // The request sent while the broker was stopped sat in its socket: it was appended at SIGCONT
      // (outcome unknown to its caller), once; the next batch, from a new producer id, is neither
      // dropped as its duplicate nor stored twice, and sits at the offsets answered.
      expect(values.filter((v) => v.startsWith('during:')).sort()).toEqual(records('during', 4, 2).map((r) => r.value).sort());
      expect(values.filter((v) => v.startsWith('after:')).length).toBe(4);
      const afterRecords = records('after', 4, 2);
      expect(afterRecords.map((r, i) => log.find((s) => s.partition === r.partition && s.offset === after[i])?.value)).toEqual(afterRecords.map((r) => r.value));
      expect(values.length).toBe(12);
    } finally {
      broker.signal('SIGCONT');
      await sender.close();
    }
  }, 120_000);
});
