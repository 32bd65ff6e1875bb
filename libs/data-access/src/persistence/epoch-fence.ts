/*
 * The epoch fence: every rule that keeps one writer per partition, in one file (design section 4).
 *
 * OPLOG holds, per consumer group, topic and partition, an `epoch` and the `owner` that took it.
 *
 *  1. CLAIM: an instance takes a partition by `epoch + 1` (CLAIM_PARTITION). Its row lock
 *     (LOCK_FOR_CLAIM) waits for any transaction of the previous owner still open (a flush, a relay
 *     batch), so the offset it reads includes that flush, and everything the previous owner does
 *     afterwards finds another epoch. The claim also refuses an OPLOG row that counts offsets of
 *     another topic (topic id) or beyond the partition's end as Kafka reports it once the lock is
 *     held, changing nothing (ClaimRefusedError).
 *  2. FLUSH: the flush statement runs ADVANCE_UNDER_EPOCH first (its `fence` CTE, which every write
 *     of the statement depends on), matching one row only while the epoch is ours and locking it
 *     until COMMIT; zero rows = nothing written, fenced: roll back, stop the partition
 *     (flush-statement.ts, FlushWriter, PartitionLane.fence).
 *  3. RELAY: the change relay publishes under HOLD_LIVE_EPOCHS (FOR SHARE on the rows whose epoch
 *     is ours), held from before the publish until its outbox rows are deleted, so a claim cannot
 *     slip between a zombie's publish and its delete (FencedOutboxRelay).
 *  4. WATCH: every PROGRESS_CHECK_MS the consumer reads the claims (READ_CLAIMS) and fences a lane
 *     whose epoch is not the current one (isCurrentClaim) before its next flush would find out;
 *     readiness answers from the same comparison (apps/consumer/src/ownership/claim-watch.ts,
 *     ownership.health.ts); a lane fenced longer than FENCED_LIVENESS_GRACE_MS fails liveness
 *     (fenced-liveness.ts), so an orchestrator restarts the instance.
 *
 * The Kafka consumer group is only a transport: nothing it says moves an epoch.
 */

/**
 * Claim, first: the partition's row, locked until the claim commits (created at epoch 0 when the
 * group has none yet, so that a first claim locks it too; nobody sees it before the claim sets
 * epoch 1). $1 group, $2 topic, $3 partition.
 */
export const LOCK_FOR_CLAIM = [
  'INSERT INTO oplog (consumer_group, topic, partition) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
  'SELECT 1 FROM oplog WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE',
] as const;

/**
 * Claim: epoch + 1 and owner = me, or a new row at epoch 1. $5 topic id and $6 end offset, when
 * given, must agree with the row (a row without a topic id adopts it); otherwise no row is returned.
 */
export const CLAIM_PARTITION = `INSERT INTO oplog AS o (consumer_group, topic, partition, next_offset, epoch, owner, topic_id, updated_at)
  VALUES ($1, $2, $3, 0, 1, $4, $5, now())
  ON CONFLICT (consumer_group, topic, partition)
  DO UPDATE SET epoch = o.epoch + 1, owner = EXCLUDED.owner, topic_id = COALESCE(EXCLUDED.topic_id, o.topic_id), updated_at = now()
  WHERE $5::text IS NULL OR ((o.topic_id IS NULL OR o.topic_id = $5) AND o.next_offset <= $6::bigint)
  RETURNING epoch::text AS epoch, next_offset::text AS next_offset`;

/** Flush, the first part of its statement (flush-statement.ts): the new next_offset, only while epoch $4 is current. */
export const ADVANCE_UNDER_EPOCH = `UPDATE oplog SET next_offset = $5, updated_at = now()
  WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND epoch = $4`;

/** Relay: of the claimed (partition $3[i], epoch $4[i]), the partitions still ours, share-locked until COMMIT. */
export const HOLD_LIVE_EPOCHS = `SELECT o.partition FROM oplog o
    JOIN unnest($3::int[], $4::bigint[]) AS mine(partition, epoch) ON o.partition = mine.partition AND o.epoch = mine.epoch
   WHERE o.consumer_group = $1 AND o.topic = $2
   ORDER BY o.partition
     FOR SHARE OF o`;

/** Watch: the current epoch and owner of every partition of the group and topic. */
export const READ_CLAIMS = 'SELECT partition, epoch::text AS epoch, owner FROM oplog WHERE consumer_group = $1 AND topic = $2';

/** The current claim of a partition as OPLOG holds it. */
export interface CurrentClaim {
  epoch: number;
  owner: string;
}

/** Whether a lane that claimed `ourEpoch` still owns its partition: OPLOG holds exactly that epoch. */
export function isCurrentClaim(ourEpoch: number, current: CurrentClaim | undefined): boolean {
  return current !== undefined && current.epoch === ourEpoch;
}
