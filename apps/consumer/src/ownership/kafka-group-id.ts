import type { PartitionSelection } from '../config/consumer.config';

/**
 * The Kafka consumer group an instance joins: one per ownership, not one for every consumer.
 * The group is only a transport (OPLOG's epoch is the fence, and OPLOG keeps CONSUMER_GROUP as its
 * key), so instances owning different partitions gain nothing from sharing one. Sharing one costs a
 * lot: every join or crash stops all members' fetching for the whole rebalance, and a member that
 * died holds that rebalance up for its session timeout (found when two consumers started together
 * sat idle for minutes). With a group per ownership, pod N's restart touches only partition N.
 */
export function kafkaGroupId(consumerGroup: string, selection: PartitionSelection): string {
  return selection.kind === 'all' ? `${consumerGroup}.all` : `${consumerGroup}.p${selection.partitions.join('-')}`;
}
