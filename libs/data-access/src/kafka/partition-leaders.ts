import type { KafkaAdmin } from './port/kafka.port';

/**
 * The current leader broker of each partition of a topic, from a fresh Metadata request, refreshed on a timer and on demand after a failed send.
 *
 * Why: kafkajs splits one send() into one request per leader broker, in parallel, and after a leader
 * change retries the whole send with the per-broker answers it kept (tulios/kafkajs#1798), storing
 * partitions twice. A send whose partitions share one leader goes out as one request: nothing to
 * re-send from a map. A stale view only costs a split send, which the answer check still covers.
 */
export class PartitionLeaders {
  private leaders = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly admin: KafkaAdmin,
    private readonly topic: string,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  /** Reads the leaders now, then every `refreshMs`. */
  async start(refreshMs: number): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The leader's broker id, or undefined while unknown (such partitions are grouped together). */
  leaderOf(partition: number): number | undefined {
    return this.leaders.get(partition);
  }

  /** Reads the leaders again (one read at a time; a failed read keeps the last view). */
  refresh(): Promise<void> {
    this.refreshing ??= this.read().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async read(): Promise<void> {
    try {
      this.leaders = await this.admin.partitionLeaders(this.topic);
    } catch (error) {
      this.onError(error as Error);
    }
  }
}
