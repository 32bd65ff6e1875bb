import { type EntityRecord, applyEvent, emptyRecord } from '@async2/domain';
import type { StoredEvent } from './topic-reader';

/**
 * The state EVENTS must hold: every stored event applied once, per partition in offset order,
 * with the same fold the consumer uses (so this checks the pipeline, not the fold's rules, which
 * the unit tests check). Events that cannot apply are skipped, as the consumer dead-letters them.
 */
export function referenceFold(events: readonly StoredEvent[], dedupeWindow: number): Map<string, EntityRecord> {
  const records = new Map<string, EntityRecord>();
  for (const { partition, offset, event } of events) {
    const record = records.get(event.id) ?? emptyRecord(event.id, partition);
    records.set(event.id, record);
    applyEvent(record, event, offset, dedupeWindow);
  }
  return records;
}
