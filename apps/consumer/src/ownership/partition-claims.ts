import { type KafkaAdmin, type OplogKey, OplogRepository, type PartitionClaim, ParkedRepository, ProducerMarksRepository, awaitWatermarks, partitionEndReader } from '@async2/data-access';
import { type HeldParkedId, PartitionBuffer, type ProducerMark } from '@async2/domain';
import type { Logger } from '@nestjs/common';

import type { DataSource } from 'typeorm';
import type { ConsumerConfig } from '../config/consumer.config';
import { OffsetGapGuard } from '../fold/offset-gap-guard';
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
  admin: KafkaAdmin,
  topicId: string,
  deps: LaneDependencies,
  logger: Logger,
): Promise<Map<number, PartitionLane>> {
  const oplog = new OplogRepository(dataSource);
  const marks = new ProducerMarksRepository(dataSource);
  const parkedStore = new ParkedRepository(dataSource);
  const key: OplogKey = { consumerGroup: config.consumerGroup, topic: config.topics.topic };
  const watermarks = await awaitWatermarks(admin, config.topics.topic);
  const lanes = new Map<number, PartitionLane>();
  for (const partition of partitions) {
    // The end is read under the claim's row lock: one read before it can be passed by the flushes of
    // an owner still running (two instances starting at once, a handover), a false "records lost".
    const endOffset = partitionEndReader(admin, config.topics.topic, partition, config.database.idleInTransactionTimeoutMs / 2);
    const claim = await oplog.claim(key, partition, config.instanceId, { topicId, endOffset });
    deps.failPoints.reach('during-claim'); // claimed (epoch + 1 is committed), not yet consuming
    // After the claim: its row lock waited for the previous owner's last flush, so these marks are
    // exactly the record identities applied below next_offset.
    const producerMarks = await marks.load(key, partition);
    const parked = await parkedStore.loadSpilled(key, partition);
    const lane = openLane(partition, claim, watermarks.get(partition)?.low ?? 0, { producerMarks, parked }, config, deps, logger);
    lanes.set(partition, lane);
    const where = lane.stoppedAtGap ? `stopped at the gap at ${claim.nextOffset}` : `resuming at offset ${lane.buffer.nextOffset}`;
    logger.log(`partition ${partition}: claimed with epoch ${claim.epoch}, ${where} (${producerMarks.length} producer marks, ${parked.length} parked IDs)`);
  }
  return lanes;
}

/**
 * The lane at OPLOG.next_offset. When Kafka's log starts above it, retention or deleteRecords removed
 * records this group never applied: the lane stops there (fail closed), unless the operator's
 * ACCEPT_OFFSET_GAP names this partition and the log start exactly.
 */
function openLane(
  partition: number,
  claim: PartitionClaim,
  logStart: number,
  { producerMarks, parked }: { producerMarks: ProducerMark[]; parked: HeldParkedId[] },
  config: ConsumerConfig,
  deps: LaneDependencies,
  logger: Logger,
): PartitionLane {
  const accepted = config.acceptOffsetGap.get(partition);
  if (accepted !== undefined && accepted <= claim.nextOffset) {
    logger.warn(`partition ${partition}: ACCEPT_OFFSET_GAP=${partition}:${accepted} is not ahead of OPLOG next_offset ${claim.nextOffset}: it has no effect any more; remove it`);
  }
  const guard = new OffsetGapGuard(partition, accepted);
  const decision = claim.nextOffset < logStart ? guard.onLogStartAbove(claim.nextOffset, logStart) : undefined;
  if (decision === 'accept') {
    logger.warn(`partition ${partition}: offsets ${claim.nextOffset}..${logStart - 1} were removed before they were applied; moving past them as ACCEPT_OFFSET_GAP=${partition}:${logStart} says`);
  }
  const start = decision === 'accept' ? logStart : claim.nextOffset;
  const buffer = new PartitionBuffer({
    partition,
    nextOffset: start,
    dedupeWindow: config.dedupeWindow,
    maxCachedIds: config.maxCachedIds,
    producerMarks,
    producerRetention: config.producerMarks,
    parked,
    maxHeldParkedEvents: config.parkedMaxHeldEvents,
  });
  const lane = new PartitionLane(partition, claim.epoch, buffer, deps, guard);
  if (decision === 'stop') lane.reportGap();
  return lane;
}
