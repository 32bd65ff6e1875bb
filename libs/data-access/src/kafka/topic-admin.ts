import type { KafkaAdmin, TopicSpec } from './port/kafka.port';

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

/** Creates the events topic, its DLQ and the change topic when absent (idempotent; safe when several instances race). */
export function ensureTopics(admin: KafkaAdmin, layout: TopicLayout): Promise<void> {
  return admin.createTopics(layoutTopics(layout));
}
