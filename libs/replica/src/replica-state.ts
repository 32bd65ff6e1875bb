import type { ReplicaChange } from './replica-change';

/**
 * The replica's data: the highest version seen of every ID (deleted IDs included, so an older
 * change arriving late is recognised and ignored). Applying is idempotent and per-ID monotonic.
 */
export class ReplicaState {
  private readonly entries = new Map<string, ReplicaChange>();
  private live = 0;
  /** Live IDs with an expiry (ttlMs), and when: size and ids() leave them out once it passed, as get() does. */
  private readonly expiring = new Map<string, number>();

  /** Applies a change if it is newer than what is held; false for a duplicate or an older version. */
  apply(change: ReplicaChange): boolean {
    const held = this.entries.get(change.id);
    if (held !== undefined && held.version >= change.version) return false;
    if (held !== undefined && !held.deleted) this.live--;
    if (!change.deleted) this.live++;
    this.entries.set(change.id, change);
    if (!change.deleted && change.expiresAt !== undefined) this.expiring.set(change.id, change.expiresAt);
    else this.expiring.delete(change.id);
    return true;
  }

  /**
   * The state of a live ID; undefined when absent, deleted, or expired at `now` (its `ttlMs` passed:
   * the server's deletion follows within a sweep, but reads never return an expired ID).
   */
  get(id: string, now = Date.now()): Record<string, unknown> | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.deleted || (entry.expiresAt !== undefined && entry.expiresAt <= now)) return undefined;
    return entry.state ?? undefined;
  }

  /** The latest change held for an ID (a deletion included), with its version. */
  entry(id: string): ReplicaChange | undefined {
    return this.entries.get(id);
  }

  /** IDs that exist (not deleted), now. */
  get size(): number {
    return this.sizeAt(Date.now());
  }

  /**
   * IDs that exist at `now`: not deleted and not expired (an expired ID counts until its deletion
   * arrives no more than get() returns it). Costs one look at each live ID with an expiry.
   */
  sizeAt(now: number): number {
    let expired = 0;
    for (const expiresAt of this.expiring.values()) if (expiresAt <= now) expired++;
    return this.live - expired;
  }

  /** IDs that exist at `now` (not deleted, not expired), as get() sees them. */
  *ids(now = Date.now()): IterableIterator<string> {
    for (const [id, entry] of this.entries) if (!entry.deleted && !(entry.expiresAt !== undefined && entry.expiresAt <= now)) yield id;
  }
}
