import { type Admin, ConfigResourceTypes, type Kafka } from 'kafkajs';
import type { KafkaAdmin, TopicSpec, Watermarks } from '../port/kafka.port';
import { UnknownTopicError } from '../port/send-errors';
import { usableMaxMessageBytes } from '../max-message-bytes';
import { fetchTopicId } from './kafkajs-topic-id';

/** The topic's partition count, or undefined when the broker does not know the topic. */
export async function partitionCountOf(admin: Admin, topic: string): Promise<number | undefined> {
  // listTopics first: fetchTopicMetadata of a missing topic retries for kafkajs's whole retry budget.
  if (!(await admin.listTopics()).includes(topic)) return undefined;
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]?.partitions.length || undefined;
}

/** The port's admin on kafkajs. */
export class KafkajsAdmin implements KafkaAdmin {
  private readonly admin: Admin;
  private connecting: Promise<void> | undefined;

  constructor(private readonly kafka: Kafka) {
    this.admin = kafka.admin();
  }

  async createTopics(topics: readonly TopicSpec[]): Promise<void> {
    await this.connected();
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          ...(t.config ? { configEntries: Object.entries(t.config).map(([name, value]) => ({ name, value })) } : {}),
        })),
      });
    } catch (error) {
      // Another instance created it between our list and create.
      if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
    }
  }

  async partitionCount(topic: string): Promise<number> {
    await this.connected();
    const count = await partitionCountOf(this.admin, topic);
    if (count === undefined) throw new UnknownTopicError(topic);
    return count;
  }

  async hasTopic(topic: string): Promise<boolean> {
    await this.connected();
    return (await this.admin.listTopics()).includes(topic);
  }

  async raisePartitions(topic: string, count: number): Promise<void> {
    await this.connected();
    await this.admin.createPartitions({ topicPartitions: [{ topic, count }] });
  }

  async endOffsets(topic: string): Promise<Map<number, number>> {
    const watermarks = await this.watermarks(topic);
    return new Map([...watermarks].map(([partition, { high }]) => [partition, high]));
  }

  async watermarks(topic: string): Promise<Map<number, Watermarks>> {
    await this.connected();
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
  }

  async topicId(topic: string): Promise<string> {
    return fetchTopicId(this.kafka, topic);
  }

  async partitionLeaders(topic: string): Promise<Map<number, number>> {
    await this.connected();
    // kafkajs's admin asks a broker each time (no cached view).
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = topics.find((t) => t.name === topic)?.partitions ?? [];
    return new Map(partitions.filter((p) => p.leader >= 0).map((p) => [p.partitionId, p.leader]));
  }

  async maxMessageBytes(topic: string): Promise<number> {
    await this.connected();
    const { resources } = await this.admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
      includeSynonyms: false,
    });
    return usableMaxMessageBytes(topic, resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
  }

  async brokerIds(): Promise<number[]> {
    await this.connected();
    return (await this.admin.describeCluster()).brokers.map((b) => b.nodeId);
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }

  private connected(): Promise<void> {
    this.connecting ??= this.admin.connect().catch((error: Error) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }
}
