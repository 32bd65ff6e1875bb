import type { PendingChange } from '@async2/data-access';

/**
 * What the relay publishes of one outbox batch: each ID's newest change only, in the order those
 * newest changes were committed. Every row of the batch is still deleted with it.
 *
 * Why. A batch is published and then deleted; a crash or a failed send in between publishes it
 * again from its start. If a batch held X@9 and X@10, the topic would read 9, 10, 9, 10: an older
 * version after a newer one, which compaction could keep as X's last record. With one change per
 * ID per batch, a republished batch only repeats versions (9, 10, 10), and each record holds the
 * ID's whole state, so skipping X@9 loses nothing a reader could rebuild from.
 */
export function newestPerId(pending: readonly PendingChange[]): PendingChange[] {
  const newest = new Map<string, PendingChange>();
  for (const row of pending) {
    const held = newest.get(row.change.id);
    if (held === undefined || held.change.version < row.change.version) newest.set(row.change.id, row);
  }
  const kept = new Set(newest.values());
  return pending.filter((row) => kept.has(row));
}
