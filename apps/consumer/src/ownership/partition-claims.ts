import { type OplogKey, OplogRepository, fetchWatermarks } from '@async2/data-access';
import { PartitionBuffer } from '@async2/domain';
import type { Logger } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { ConsumerConfig } from '../config/consumer.config';
import { type LaneDependencies, PartitionLane } from '../fold/partition-lane';

/**
 * Claims each owned partition in OPLOG (epoch + 1, owner = this instance) and opens its lane at
 * OPLOG.next_offset: the database, not Kafka's group offsets, says where to resume. The claim
 * checks OPLOG against the topic Kafka has now (its id and each partition's end) and throws
 * ClaimRefusedError, changing nothing, when they disagree (a recreated topic, a broker's lost data).
 */
export async function claimPartitions(
  partitions: readonly number[],
  config: ConsumerConfig,
  dataSource: DataSource,
  admin: Admin,
  topicId: string,
  deps: LaneDependencies,
  logger: Logger,
): Promise<Map<number, PartitionLane>> {
  const oplog = new OplogRepository(dataSource);
  const key: OplogKey = { consumerGroup: config.consumerGroup, topic: config.topics.topic };
  const watermarks = await fetchWatermarks(admin, config.topics.topic);
  const lanes = new Map<number, PartitionLane>();
  for (const partition of partitions) {
    const claim = await oplog.claim(key, partition, config.instanceId, { topicId, endOffset: watermarks.get(partition)?.high ?? 0 });
    deps.failPoints.reach('during-claim'); // claimed (epoch + 1 is committed), not yet consuming
    let start = claim.nextOffset;
    const low = watermarks.get(partition)?.low ?? 0;
    if (start < low) {
      // Retention deleted records this group never applied: nothing can bring them back. Say so.
      logger.error(`partition ${partition}: OPLOG next_offset ${start} is below the log start offset ${low}; records ${start}..${low - 1} were deleted by retention before being applied`);
      start = low;
    }
    const buffer = new PartitionBuffer({ partition, nextOffset: start, dedupeWindow: config.dedupeWindow, maxCachedIds: config.maxCachedIds });
    lanes.set(partition, new PartitionLane(partition, claim.epoch, buffer, deps));
    logger.log(`partition ${partition}: claimed with epoch ${claim.epoch}, resuming at offset ${start}`);
  }
  return lanes;
}
