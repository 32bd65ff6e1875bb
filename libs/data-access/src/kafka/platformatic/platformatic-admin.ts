import { Admin, type BaseOptions } from '@platformatic/kafka';
import type { KafkaAdmin, TopicSpec } from '../port/kafka.port';
import { UnknownTopicError } from '../port/send-errors';
import { isBrokerError } from './platformatic-errors';

const LEADERS_TIMEOUT_MS = 15_000;

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

  endOffsets(topic: string): Promise<Map<number, number>> {
    return this.offsetsAt(topic, -1n); // ListOffsets timestamp -1: LATEST (the high watermark)
  }

  startOffsets(topic: string): Promise<Map<number, number>> {
    return this.offsetsAt(topic, -2n); // -2: EARLIEST (the log start offset)
  }

  private async offsetsAt(topic: string, timestamp: bigint): Promise<Map<number, number>> {
    const count = await this.partitionCount(topic);
    const partitions = Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp }));
    const [listed] = await this.admin.listOffsets({ topics: [{ name: topic, partitions }] });
    return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.offset)]));
  }

  close(): Promise<void> {
    return this.admin.close();
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
