/** What the topic setup does with the events topic, given what exists and what is configured. */
export type TopicPartitionPlan =
  | { action: 'create'; partitions: number }
  | { action: 'keep'; partitions: number }
  | { action: 'raise'; from: number; to: number }
  | { action: 'refuse'; reason: string };

/**
 * Kafka cannot move records between partitions: adding partitions sends some IDs to a new partition
 * while their older events may still wait in the old one, so two consumers could apply one ID's
 * events out of order. Raising is therefore only done when asked (after draining, see docs/deploy.md, "Raising the partition count"),
 * and a topic with more partitions than configured is refused: pods would leave some unowned.
 */
export function planTopicPartitions(existing: number | undefined, wanted: number, raiseAllowed: boolean): TopicPartitionPlan {
  if (existing === undefined) return { action: 'create', partitions: wanted };
  if (existing === wanted) return { action: 'keep', partitions: existing };
  if (existing > wanted) {
    return { action: 'refuse', reason: `the topic has ${existing} partitions, more than KAFKA_TOPIC_PARTITIONS=${wanted}: partitions ${wanted}..${existing - 1} would have no consumer (Kafka cannot remove partitions; set KAFKA_TOPIC_PARTITIONS=${existing})` };
  }
  if (!raiseAllowed) {
    return { action: 'refuse', reason: `the topic has ${existing} partitions, KAFKA_TOPIC_PARTITIONS=${wanted} asks for more: raising moves IDs to other partitions, so drain first and pass --raise-partitions (docs/deploy.md, "Raising the partition count")` };
  }
  return { action: 'raise', from: existing, to: wanted };
}
