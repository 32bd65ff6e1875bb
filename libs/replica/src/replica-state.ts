import type { ReplicaChange } from './replica-change';

/**
 * The replica's data: the highest version seen of every ID (deleted IDs included, so an older
 * change arriving late is recognised and ignored). Applying is idempotent and per-ID monotonic.
 */
export class ReplicaState {
  private readonly entries = new Map<string, ReplicaChange>();
  private live = 0;

  /** Applies a change if it is newer than what is held; false for a duplicate or an older version. */
  apply(change: ReplicaChange): boolean {
    const held = this.entries.get(change.id);
    if (held !== undefined && held.version >= change.version) return false;
    if (held !== undefined && !held.deleted) this.live--;
    if (!change.deleted) this.live++;
    this.entries.set(change.id, change);
    return true;
  }

  get(id: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(id);
    return entry === undefined || entry.deleted ? undefined : (entry.state ?? undefined);
  }

  /** The latest change held for an ID (a deletion included), with its version. */
  entry(id: string): ReplicaChange | undefined {
    return this.entries.get(id);
  }

  /** IDs that exist (not deleted). */
  get size(): number {
    return this.live;
  }

  *ids(): IterableIterator<string> {
    for (const [id, entry] of this.entries) if (!entry.deleted) yield id;
  }
}
