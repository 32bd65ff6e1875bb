import { type Admin, ConfigResourceTypes } from 'kafkajs';
import type { TopicSpec } from './port/kafka.port';

export interface TopicLayout {
  topic: string;
  deadLetterTopic: string;
  /** The change stream: every committed change of EVENTS, keyed by id, compacted. */
  changesTopic: string;
  /** Partitions of a topic this creates; an existing topic keeps its own count. */
  partitions: number;
  replicationFactor: number;
}

/** The topics of a layout: the change topic is compacted (it keeps at least the latest change of every id). */
function layoutTopics(layout: TopicLayout): TopicSpec[] {
  const { partitions, replicationFactor } = layout;
  return [
    { topic: layout.topic, partitions, replicationFactor },
    { topic: layout.deadLetterTopic, partitions, replicationFactor },
    { topic: layout.changesTopic, partitions, replicationFactor, config: { 'cleanup.policy': 'compact' } },
  ];
}

/** Creates the events topic, its DLQ and the change topic when absent (see createMissingTopics). */
export function ensureTopics(admin: Admin, layout: TopicLayout): Promise<void> {
  return createMissingTopics(admin, layoutTopics(layout));
}

/** Creates the topics that do not exist yet and waits for their leaders (idempotent; safe when several instances race). */
export async function createMissingTopics(admin: Admin, topics: readonly TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({
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

/**
 * Asks again until Kafka answers, for at most `timeoutMs`: a topic created a moment ago may not be
 * in every broker's metadata yet, and a partition may be between leaders (an election, a broker
 * restart). At boot that is a wait, not a reason to exit.
 */
async function untilAnswered<T>(ask: () => Promise<T | undefined>, timeoutMs: number, failure: () => Error): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const answer = await ask();
      if (answer !== undefined) return answer;
      if (Date.now() > deadline) throw failure();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** P, read from the topic's metadata (never from configuration that could drift from it). */
export function fetchPartitionCount(admin: Admin, topic: string, timeoutMs = 15_000): Promise<number> {
  return untilAnswered(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const count = metadata.topics[0]?.partitions.length ?? 0;
      return count > 0 ? count : undefined;
    },
    timeoutMs,
    () => new Error(`topic ${topic} has no partitions`),
  );
}

/** Low and high watermarks of every partition of a topic (every partition's leader must answer). */
export async function fetchWatermarks(admin: Admin, topic: string, timeoutMs = 15_000): Promise<Map<number, { low: number; high: number }>> {
  const offsets = await untilAnswered(() => admin.fetchTopicOffsets(topic), timeoutMs, () => new Error(`no offsets for ${topic}`));
  return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
}

/**
 * The topic's max.message.bytes (its own setting, or the broker's message.max.bytes it inherits):
 * the largest record batch the broker takes for one of its partitions. A produce request carrying a
 * larger batch is refused whole (MESSAGE_TOO_LARGE).
 */
export async function fetchMaxMessageBytes(admin: Admin, topic: string): Promise<number> {
  const { resources } = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
    includeSynonyms: false,
  });
  const value = Number(resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`topic ${topic} has no usable max.message.bytes (${value})`);
  return value;
}
