/**
 * A uniform sample of at most `capacity` items from a stream of unknown length (Vitter's
 * algorithm R): a flush span links to 128 of the events it contains, whether there were 3 or 30,000.
 */
export class ReservoirSample<T> {
  private readonly items: T[] = [];
  private seen = 0;

  constructor(
    private readonly capacity: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Items offered since the last clear(). */
  get offered(): number {
    return this.seen;
  }

  offer(item: T): void {
    this.seen++;
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.items[slot] = item;
  }

  sample(): readonly T[] {
    return this.items;
  }

  clear(): void {
    this.items.length = 0;
    this.seen = 0;
  }
}
