import { testKafka, uniqueName, waitFor } from '@async2/testing';
import { fetchTopicId, TopicIdUnavailableError } from './topic-id';

// Real broker: the raw Metadata v10 request must agree with Kafka 4 on the wire, and a topic
// deleted and created again under the same name must get a different id (what OPLOG relies on).
describe('fetchTopicId', () => {
  const kafka = testKafka('topic-id-test');
  const admin = kafka.admin();
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  it('reads the topic id, and a recreated topic of the same name has a new one', async () => {
    const topic = uniqueName('topic-id');
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const first = await fetchTopicId(kafka, topic);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(await fetchTopicId(kafka, topic)).toBe(first);

    await admin.deleteTopics({ topics: [topic] });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), { timeoutMs: 20_000 });
    await waitFor(async () => admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }).then(() => true, () => false), { timeoutMs: 20_000 });
    const second = await fetchTopicId(kafka, topic);
    expect(second).toMatch(/^[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
    await admin.deleteTopics({ topics: [topic] });
  }, 60_000);

  it('refuses a topic the broker does not know', async () => {
    await expect(fetchTopicId(kafka, uniqueName('no-such-topic'))).rejects.toBeInstanceOf(TopicIdUnavailableError);
  });
});
