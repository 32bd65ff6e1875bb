import type { PartitionLane } from '../fold/partition-lane';
import { bufferedBytes, bufferedEvents, cachedIds, parkedEventsHeld, parkedIds, parkedOldestAge, partitionLag, pausedPartitions } from './consumer.metrics';

/** Lag = high watermark - OPLOG.next_offset (this instance's last commit), and the buffer's size, per owned partition. */
export function reportPartitionGauges(lanes: Iterable<PartitionLane>, highWatermarks: ReadonlyMap<number, number>, now = Date.now()): void {
  for (const lane of lanes) {
    const labels = { partition: String(lane.partition) };
    const high = highWatermarks.get(lane.partition) ?? lane.buffer.committedOffset;
    partitionLag.set(labels, Math.max(0, high - lane.buffer.committedOffset));
    bufferedEvents.set(labels, lane.buffer.uncommittedEvents);
    cachedIds.set(labels, lane.buffer.cachedIds);
    bufferedBytes.set(labels, lane.buffer.uncommittedBytes);
    parkedIds.set(labels, lane.buffer.parked.count);
    parkedEventsHeld.set(labels, lane.buffer.parked.heldEvents);
    const oldest = lane.buffer.parked.oldestParkedAt;
    parkedOldestAge.set(labels, oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000));
  }
}

/** Paused partitions by reason, set whenever a lane pauses, resumes, stops at a gap or is fenced. */
export function reportPausedPartitions(lanes: Iterable<PartitionLane>): void {
  const all = [...lanes];
  pausedPartitions.set({ reason: 'fenced' }, all.filter((l) => l.fenced).length);
  pausedPartitions.set({ reason: 'offset-gap' }, all.filter((l) => !l.fenced && l.stoppedAtGap).length);
  pausedPartitions.set({ reason: 'buffer-full' }, all.filter((l) => !l.fenced && !l.stoppedAtGap && l.paused).length);
}
