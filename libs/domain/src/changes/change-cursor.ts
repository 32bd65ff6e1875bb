import { ValidationError } from '../event-contract/validation-error';

/**
 * A position in the change topic: for every partition, the offset of the next record to read.
 *
 *   cursor := partition ":" offset ("," partition ":" offset)*      e.g. "0:17,1:0,2:4"
 *
 * It travels as the SSE `id:` of every change (so `Last-Event-ID` resumes right after it) and as
 * the snapshot's `cursor` (where the stream continues without a gap).
 */
export type ChangeCursor = ReadonlyMap<number, number>;

export function formatChangeCursor(cursor: ChangeCursor): string {
  return [...cursor].sort(([a], [b]) => a - b).map(([p, o]) => `${p}:${o}`).join(',');
}

/** Parses a cursor for a topic of `partitionCount` partitions; every partition must be named once. */
export function parseChangeCursor(raw: string, partitionCount: number, field = 'cursor'): Map<number, number> {
  const fail = (message: string) => new ValidationError([{ field, rule: 'change-cursor', message }]);
  if (raw.length > 20 * partitionCount + 16) throw fail('is too long for the change topic');
  const cursor = new Map<number, number>();
  for (const item of raw.split(',')) {
    const match = /^(\d{1,5}):(\d{1,16})$/.exec(item.trim());
    if (!match) throw fail(`must be "<partition>:<offset>" pairs separated by commas, got ${JSON.stringify(item)}`);
    const partition = Number(match[1]);
    const offset = Number(match[2]);
    if (partition >= partitionCount) throw fail(`partition ${partition} does not exist (the change topic has ${partitionCount})`);
    if (!Number.isSafeInteger(offset)) throw fail(`offset ${match[2]} is out of range`);
    if (cursor.has(partition)) throw fail(`partition ${partition} is named twice`);
    cursor.set(partition, offset);
  }
  if (cursor.size !== partitionCount) throw fail(`must name every partition of the change topic (0..${partitionCount - 1})`);
  return cursor;
}
