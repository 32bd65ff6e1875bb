interface Waiter {
  offset: number;
  settle: (reached: boolean) => void;
}

/**
 * Reads waiting for a partition's fold to pass an offset. The lane calls `advance` whenever its
 * folded position moves, so a waiting read wakes as soon as the record is folded (no polling);
 * each wait is bounded by its own timeout, and `cancelAll` wakes every waiter (fenced, stopping).
 */
export class FoldPositionWaiters {
  private readonly waiters = new Set<Waiter>();

  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Resolves true once the folded position (the next offset to fold) is past `offset`, false after
   * `timeoutMs` or on `cancelAll`. `position` is the lane's folded position now.
   */
  waitPast(offset: number, position: number, timeoutMs: number): Promise<boolean> {
    if (position > offset) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        offset,
        settle: (reached) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.settle(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The folded position is now `position`: wakes every waiter it passed. */
  advance(position: number): void {
    if (this.waiters.size === 0) return;
    for (const waiter of this.waiters) if (position > waiter.offset) waiter.settle(true);
  }

  cancelAll(): void {
    for (const waiter of this.waiters) waiter.settle(false);
  }
}
