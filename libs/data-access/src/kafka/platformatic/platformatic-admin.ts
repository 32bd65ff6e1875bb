import { Admin, type BaseOptions, ConfigResourceTypes } from '@platformatic/kafka';
import { usableMaxMessageBytes } from '../max-message-bytes';
import type { KafkaAdmin, TopicSpec, Watermarks } from '../port/kafka.port';
import { UnknownTopicError } from '../port/send-errors';
import { TopicIdUnavailableError } from '../port/topic-id-unavailable.error';
import { isBrokerError } from './platformatic-errors';

const LEADERS_TIMEOUT_MS = 15_000;
/** ListOffsets' special timestamps. */
const LATEST = -1n;
const EARLIEST = -2n;

/** The topic's partition count, or undefined when the broker does not know the topic. */
export async function partitionCountOf(admin: Admin, topic: string): Promise<number | undefined> {
  if (!(await admin.listTopics()).includes(topic)) return undefined;
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  return metadata.topics.get(topic)?.partitionsCount || undefined;
}

/** The port's admin on @platformatic/kafka. */
export class PlatformaticAdmin implements KafkaAdmin {
  private readonly admin: Admin;

  constructor(options: BaseOptions) {
    this.admin = new Admin(options);
  }

  async createTopics(topics: readonly TopicSpec[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    // One call per topic: the client applies one set of configs to all topics of a call.
    for (const t of missing) {
      try {
        await this.admin.createTopics({
          topics: [t.topic],
          partitions: t.partitions,
          replicas: t.replicationFactor,
          configs: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        });
      } catch (error) {
        // Another instance created it between our list and create.
        if (!isBrokerError(error, 'TOPIC_ALREADY_EXISTS')) throw error;
      }
    }
    if (missing.length > 0) await this.untilLed(missing.map((t) => t.topic));
  }

  async partitionCount(topic: string): Promise<number> {
    const count = await partitionCountOf(this.admin, topic);
    if (count === undefined) throw new UnknownTopicError(topic);
    return count;
  }

  async hasTopic(topic: string): Promise<boolean> {
    return (await this.admin.listTopics()).includes(topic);
  }

  raisePartitions(topic: string, count: number): Promise<void> {
    return this.admin.createPartitions({ topics: [{ name: topic, count }] });
  }

  endOffsets(topic: string): Promise<Map<number, number>> {
    return this.listOffsets(topic, LATEST);
  }

  async watermarks(topic: string): Promise<Map<number, Watermarks>> {
    const count = await this.partitionCount(topic); // once for both lists
    const [low, high] = await Promise.all([this.listOffsets(topic, EARLIEST, count), this.listOffsets(topic, LATEST, count)]);
    return new Map([...high].map(([partition, h]) => [partition, { low: low.get(partition) ?? 0, high: h }]));
  }

  async topicId(topic: string): Promise<string> {
    const metadata = await this.admin.metadata({ topics: [topic], forceUpdate: true }).catch((error: Error) => {
      throw new TopicIdUnavailableError(topic, error.message);
    });
    // The client gives a UUID with hyphens (Metadata v10+), or the topic's name below v10.
    const id = metadata.topics.get(topic)?.id.replaceAll('-', '').toLowerCase() ?? '';
    if (!/^[0-9a-f]{32}$/.test(id)) throw new TopicIdUnavailableError(topic, 'the broker answered no id (topic ids need Metadata v10, Kafka 2.8+)');
    if (/^0+$/.test(id)) throw new TopicIdUnavailableError(topic, 'the broker answered no id');
    return id;
  }

  async partitionLeaders(topic: string): Promise<Map<number, number>> {
    const metadata = await this.admin.metadata({ topics: [topic], forceUpdate: true });
    const partitions = metadata.topics.get(topic)?.partitions ?? [];
    return new Map(partitions.flatMap((p, partition) => (p.leader >= 0 ? [[partition, p.leader] as const] : [])));
  }

  async maxMessageBytes(topic: string): Promise<number> {
    const [described] = await this.admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['max.message.bytes'] }],
      includeSynonyms: false,
    });
    return usableMaxMessageBytes(topic, described?.configs.find((c) => c.name === 'max.message.bytes')?.value ?? undefined);
  }

  async brokerIds(): Promise<number[]> {
    const metadata = await this.admin.metadata({ topics: [], forceUpdate: true });
    return [...metadata.brokers.keys()];
  }

  close(): Promise<void> {
    return this.admin.close();
  }

  /** One offset per partition of the topic: EARLIEST (log start) or LATEST (high watermark). */
  private async listOffsets(topic: string, timestamp: bigint, knownCount?: number): Promise<Map<number, number>> {
    const count = knownCount ?? (await this.partitionCount(topic));
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp }));
    const [listed] = await this.admin.listOffsets({ topics: [{ name: topic, partitions }] });
    return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.offset)]));
  }

  /** Waits until every partition of the topics has a leader (createTopics answers before that). */
  private async untilLed(topics: string[]): Promise<void> {
    const deadline = Date.now() + LEADERS_TIMEOUT_MS;
    for (;;) {
      const metadata = await this.admin.metadata({ topics, forceUpdate: true }).catch(() => undefined);
      const led = metadata && topics.every((t) => metadata.topics.get(t)?.partitions.every((p) => p.leader >= 0));
      if (led) return;
      if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after ${LEADERS_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
