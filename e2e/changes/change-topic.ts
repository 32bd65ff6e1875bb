import { decodeChangeRecord } from '@async2/data-access';
import type { CommittedChange } from '@async2/domain';
import type { Replica } from '@async2/replica';
import { type DatabaseProbe, readTopic } from '@async2/testing';
import type { Kafka } from 'kafkajs';

export interface StoredChange {
  partition: number;
  offset: number;
  change: CommittedChange;
}

/** Every record of the change topic up to its current end, in order per partition. */
export function readChangeTopic(kafka: Kafka, topic: string): Promise<StoredChange[]> {
  return readTopic(kafka, topic, (partition, offset, message) => {
    const decoded = decodeChangeRecord(message.key, message.value);
    if (!decoded.ok) throw new Error(`change topic ${partition}@${offset}: ${decoded.reason}`);
    return { partition, offset, change: decoded.change };
  });
}

/** The offsets a cursor names ("p:o,p:o"), without the server's checks. */
export function parseCursorText(text: string): Map<number, number> {
  return new Map(text.split(',').map((pair) => pair.split(':').map(Number) as [number, number]));
}

/** Every ID of EVENTS, with its version and state, equals the replica's: the differences, if any. */
export async function replicaDifferences(probe: DatabaseProbe, replica: Replica): Promise<string[]> {
  const rows = await probe.eventsTable();
  const problems: string[] = [];
  for (const row of rows.values()) {
    const held = replica.entry(row.id);
    if (held?.version !== row.version) problems.push(`${row.id}: EVENTS version ${row.version}, replica ${held?.version}`);
    else if (JSON.stringify(replica.get(row.id) ?? null) !== JSON.stringify(row.deleted ? null : row.state)) problems.push(`${row.id}: state differs at version ${row.version}`);
  }
  const live = [...rows.values()].filter((r) => !r.deleted).length;
  if (replica.size !== live) problems.push(`replica holds ${replica.size} IDs, EVENTS ${live}`);
  return problems;
}

/** Per ID, the change topic's versions never go down (a duplicate repeats the same version). */
/**
 * IDs whose LAST record on the change topic is not their highest version: what compaction (which keeps
 * each key's last record) would leave stale. A zombie publishing after the new owner shows up here.
 */
export function staleLastRecords(changes: StoredChange[]): string[] {
  const highest = new Map<string, number>();
  const last = new Map<string, StoredChange>();
  for (const stored of changes) {
    highest.set(stored.change.id, Math.max(highest.get(stored.change.id) ?? 0, stored.change.version));
    last.set(stored.change.id, stored);
  }
  return [...last.values()]
    .filter(({ change }) => change.version < (highest.get(change.id) ?? 0))
    .map(({ partition, offset, change }) => `${change.id}: last record ${partition}@${offset} holds version ${change.version}, the topic has ${highest.get(change.id)}`);
}

export function versionRegressions(changes: StoredChange[]): string[] {
  const last = new Map<string, number>();
  const problems: string[] = [];
  for (const { partition, offset, change } of changes) {
    const before = last.get(change.id) ?? 0;
    if (change.version < before) problems.push(`${change.id}: version ${change.version} after ${before} at ${partition}@${offset}`);
    last.set(change.id, Math.max(before, change.version));
  }
  return problems;
}
