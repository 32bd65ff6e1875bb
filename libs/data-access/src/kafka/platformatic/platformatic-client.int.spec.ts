import { OwnBroker, readTopic, testKafka, uniqueName } from '@async2/testing';
import { Producer, type ProducerOptions } from '@platformatic/kafka';

// What @platformatic/kafka 2.12 itself does (no port around it) where our adapter's choices depend
// on it: a send that fails after the broker appended it, and more than one send outstanding.
// Real broker of the test's own: it is SIGSTOPped.

type Stored = { partition: number; offset: number; value: string };

function batch(name: string, count: number, topic: string) {
  return Array.from({ length: count }, (_, i) => ({ topic, partition: i % 2, key: Buffer.from(`id-${i}`), value: Buffer.from(`${name}:${i}`) }));
}

describe('@platformatic/kafka 2.12, idempotent, on a broker that stops', () => {
  let broker: OwnBroker;
  const producers: Producer[] = [];
  const open = (options: Partial<ProducerOptions<Buffer, Buffer, Buffer, Buffer>> = {}) => {
    const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({ clientId: 'platformatic-probe', bootstrapBrokers: broker.brokers, idempotent: true, autocreateTopics: false, ...options });
    producers.push(producer);
    return producer;
  };
  const stored = (topic: string) => readTopic<Stored>(testKafka('probe-reader', broker.brokers), topic, (partition, offset, m) => ({ partition, offset, value: String(m.value) }));
  const newTopic = async () => {
    const topic = uniqueName('platformatic-probe');
    const admin = testKafka('probe-admin', broker.brokers).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    return topic;
  };

  beforeAll(async () => {
    broker = await OwnBroker.start();
  }, 120_000);
  afterAll(async () => {
    for (const p of producers) await p.close(true).catch(() => undefined);
    await broker?.stop();
  }, 60_000);

  it('a send that fails after the broker appended it (stopped past the request timeout): the client takes a new producer id, the failed batch is stored once, the next one is stored whole at the offsets answered', async () => {
    const topic = await newTopic();
    const producer = open({ requestTimeout: 1500, retries: 2, retryDelay: 100 });
    await producer.send({ messages: batch('before', 4, topic) });
    const firstId = producer.producerId;
    broker.signal('SIGSTOP');
    try {
      await expect(producer.send({ messages: batch('during', 4, topic) })).rejects.toThrow();
    } finally {
      broker.signal('SIGCONT');
    }
    const answer = await producer.send({ messages: batch('after', 4, topic) });
    expect(producer.producerId).not.toBe(firstId);
    const log = await stored(topic);
    const count = (prefix: string) => log.filter((r) => r.value.startsWith(prefix)).length;
    expect({ before: count('before:'), during: count('during:'), after: count('after:') }).toEqual({ before: 4, during: 4, after: 4 });
    for (const { partition, offset } of answer.offsets ?? []) expect(log.find((r) => r.partition === partition && r.offset === Number(offset))?.value).toBe(`after:${partition}`);
  }, 90_000);

  it('sends outstanding together keep each partition in the order they were called (the client sends one request at a time when idempotent)', async () => {
    const topic = await newTopic();
    const producer = open();
    const names = Array.from({ length: 8 }, (_, i) => `s${i}`);
    const answers = await Promise.all(names.map((name) => producer.send({ messages: batch(name, 100, topic) })));
    const log = await stored(topic);
    for (const partition of [0, 1]) {
      const order = log.filter((r) => r.partition === partition).map((r) => r.value.split(':')[0]);
      expect([...new Set(order)]).toEqual(names);
      const bases = answers.map((a) => Number(a.offsets?.find((o) => o.partition === partition)?.offset));
      expect(bases).toEqual([...bases].sort((a, b) => a - b));
    }
  }, 60_000);

  it('sends outstanding together across a stop past the request timeout: every send fails, none is stored twice, and what is stored keeps the order they were called in', async () => {
    const topic = await newTopic();
    const producer = open({ requestTimeout: 1500, retries: 2, retryDelay: 100 });
    await producer.send({ messages: batch('warm', 2, topic) });
    const names = ['q0', 'q1', 'q2', 'q3'];
    broker.signal('SIGSTOP');
    let outcomes: Array<Promise<string>> = [];
    try {
      outcomes = names.map((name) => producer.send({ messages: batch(name, 10, topic) }).then(() => 'ok', () => 'failed'));
      await outcomes[0]; // the first request's retries are spent: the client gave up on it
    } finally {
      broker.signal('SIGCONT');
    }
    expect(await Promise.all(outcomes)).toEqual(['failed', 'failed', 'failed', 'failed']);
    const log = await stored(topic);
    for (const partition of [0, 1]) {
      const batches = log.filter((r) => r.partition === partition && !r.value.startsWith('warm')).map((r) => r.value.split(':')[0]);
      const distinct = [...new Set(batches)];
      expect(batches).toHaveLength(distinct.length * 5); // each stored batch once (5 records a partition)
      expect(distinct).toEqual(names.filter((n) => distinct.includes(n))); // in call order
    }
  }, 90_000);
});
