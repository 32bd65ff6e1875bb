import { type OplogKey, OplogRepository, ProducerMarksRepository, fetchWatermarks } from '@async2/data-access';
import { PartitionBuffer } from '@async2/domain';
import type { Logger } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { ConsumerConfig } from '../config/consumer.config';
import { type LaneDependencies, PartitionLane } from '../fold/partition-lane';

/**
 * Claims each owned partition in OPLOG (epoch + 1, owner = this instance) and opens its lane at
 * OPLOG.next_offset: the database, not Kafka's group offsets, says where to resume.
 */
export async function claimPartitions(
  partitions: readonly number[],
  config: ConsumerConfig,
  dataSource: DataSource,
  admin: Admin,
  deps: LaneDependencies,
  logger: Logger,
): Promise<Map<number, PartitionLane>> {
  const oplog = new OplogRepository(dataSource);
  const marks = new ProducerMarksRepository(dataSource);
  const key: OplogKey = { consumerGroup: config.consumerGroup, topic: config.topics.topic };
  const watermarks = await fetchWatermarks(admin, config.topics.topic);
  const lanes = new Map<number, PartitionLane>();
  for (const partition of partitions) {
    const claim = await oplog.claim(key, partition, config.instanceId);
    deps.failPoints.reach('during-claim'); // claimed (epoch + 1 is committed), not yet consuming
    let start = claim.nextOffset;
    const low = watermarks.get(partition)?.low ?? 0;
    if (start < low) {
      // Retention deleted records this group never applied: nothing can bring them back. Say so.
      logger.error(`partition ${partition}: OPLOG next_offset ${start} is below the log start offset ${low}; records ${start}..${low - 1} were deleted by retention before being applied`);
      start = low;
    }
    // After the claim: its row lock waited for the previous owner's last flush, so these marks are
    // exactly the record identities applied below next_offset.
    const producerMarks = await marks.load(key, partition);
    const buffer = new PartitionBuffer({
      partition,
      nextOffset: start,
      dedupeWindow: config.dedupeWindow,
      maxCachedIds: config.maxCachedIds,
      producerMarks,
      producerRetention: config.producerMarks,
    });
    lanes.set(partition, new PartitionLane(partition, claim.epoch, buffer, deps));
    logger.log(`partition ${partition}: claimed with epoch ${claim.epoch}, resuming at offset ${start} (${producerMarks.length} producer marks)`);
  }
  return lanes;
}
