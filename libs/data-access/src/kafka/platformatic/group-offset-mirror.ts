import type { Admin } from '@platformatic/kafka';

/**
 * Mirrors committed offsets into a consumer group that has no members (the platformatic source
 * never joins it), with the admin's OffsetCommit for an empty group: one request at a time, the
 * latest offset per partition wins, a failed write is left for the next (lag tools only read it).
 */
export class GroupOffsetMirror {
  private readonly pending = new Map<number, number>();
  private writing: Promise<void> | undefined;

  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
    private readonly topic: string,
  ) {}

  set(partition: number, offset: number): void {
    this.pending.set(partition, offset);
    this.writing ??= this.write().finally(() => (this.writing = undefined));
  }

  /** Waits for the writes under way. */
  async drain(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async write(): Promise<void> {
    while (this.pending.size > 0) {
      const offsets = [...this.pending].map(([partition, offset]) => ({ partition, offset: BigInt(offset) }));
      this.pending.clear();
      await this.admin.alterConsumerGroupOffsets({ groupId: this.groupId, topics: [{ name: this.topic, partitionOffsets: offsets }] }).catch(() => undefined);
    }
  }
}
