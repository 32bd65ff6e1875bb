import type { Admin } from 'kafkajs';
import type { KafkaAdmin, TopicSpec } from '../port/kafka.port';
import { UnknownTopicError } from '../port/send-errors';
import { createMissingTopics, fetchWatermarks } from '../topic-admin';

/** The topic's partition count, or undefined when the broker does not know the topic. */
export async function partitionCountOf(admin: Admin, topic: string): Promise<number | undefined> {
  // listTopics first: fetchTopicMetadata of a missing topic retries for kafkajs's whole retry budget.
  if (!(await admin.listTopics()).includes(topic)) return undefined;
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return topics[0]?.partitions.length || undefined;
}

/** The port's admin on kafkajs. */
export class KafkajsAdmin implements KafkaAdmin {
  private connecting: Promise<void> | undefined;

  constructor(private readonly admin: Admin) {}

  async createTopics(topics: readonly TopicSpec[]): Promise<void> {
    await this.connected();
    await createMissingTopics(this.admin, topics);
  }

  async partitionCount(topic: string): Promise<number> {
    await this.connected();
    const count = await partitionCountOf(this.admin, topic);
    if (count === undefined) throw new UnknownTopicError(topic);
    return count;
  }

  async endOffsets(topic: string): Promise<Map<number, number>> {
    await this.connected();
    const watermarks = await fetchWatermarks(this.admin, topic);
    return new Map([...watermarks].map(([partition, { high }]) => [partition, high]));
  }

  async startOffsets(topic: string): Promise<Map<number, number>> {
    await this.connected();
    const watermarks = await fetchWatermarks(this.admin, topic);
    return new Map([...watermarks].map(([partition, { low }]) => [partition, low]));
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
