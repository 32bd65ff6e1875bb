import { Gauge } from 'prom-client';

/** Per partition: the high watermark and OPLOG.next_offset (what the consumers committed). */
export type LagSource = () => Promise<Map<number, { high: number; committed: number }>>;

let source: LagSource | undefined;

/** Sets where the gauge reads from at each scrape (the producer's Kafka admin and PostgreSQL). */
export function setPipelineLagSource(next: LagSource | undefined): void {
  source = next;
}

/**
 * Lag measured from the outside, at every scrape: Kafka's high watermark minus OPLOG.next_offset,
 * read from PostgreSQL. Unlike the consumer's own async2_partition_lag it is still there when the
 * consumer is down (the moment it matters most), and it is exact: the offsets live in OPLOG.
 */
export const pipelineLag = new Gauge({
  name: 'async2_pipeline_lag',
  help: 'Records in Kafka not yet committed to EVENTS (high watermark - OPLOG.next_offset), read at scrape time',
  labelNames: ['partition'] as const,
  async collect() {
    if (!source) return;
    try {
      const offsets = await source();
      this.reset();
      for (const [partition, { high, committed }] of offsets) this.set({ partition: String(partition) }, Math.max(0, high - committed));
    } catch {
      // Kafka or PostgreSQL unreachable: no value rather than a stale one (readiness says why).
      this.reset();
    }
  },
});
