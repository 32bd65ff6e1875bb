import type { StampedEvent } from '../event-contract/change-event';
import { applyEvent } from './apply-event';
import { type EntityRecord, foldableRecord } from './entity-record';

/**
 * The state an ID will have after the next flush, for a read: its stored row (or an empty record)
 * with the events still waiting for that row applied in order, exactly as `resolvePending` will
 * apply them. Works on a copy: the buffer and the stored row are left as they are, so the read
 * changes nothing the flush will write. An event that cannot apply is skipped, as the flush skips
 * it (to the DLQ).
 */
export function freshRecord(
  id: string,
  partition: number,
  stored: EntityRecord | undefined,
  waiting: ReadonlyArray<{ event: StampedEvent; offset: number }>,
  dedupeWindow: number,
): EntityRecord {
  const record = foldableRecord(stored, id, partition);
  for (const { event, offset } of waiting) applyEvent(record, event, offset, dedupeWindow);
  return record;
}
