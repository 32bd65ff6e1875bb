import { MetricsScrape, parsePrometheusText } from '@async2/data-access';

/** What one consumer's lane for a partition is doing, as its /metrics tells. */
export type LaneState = 'active' | 'fenced' | 'stopped-at-gap';

/** One consumer instance as its /metrics tells it (or why it could not be read). */
export interface ConsumerLanes {
  url: string;
  /** Why /metrics could not be read; the other fields are empty then. */
  error?: string;
  /** Its lanes by partition (the partitions it claimed since it started). */
  lanes: Map<number, LaneState>;
  /** Lanes not fetching, by reason (async2_paused_partitions is per instance: buffer-full names no partition). */
  paused: { fenced: number; bufferFull: number; offsetGap: number };
}

/**
 * Reads the lanes off a scrape. The consumer keeps a lane's gauges from its claim on, and a lane
 * once fenced or stopped at a gap stays so until the process restarts (counters start at 0 again),
 * so: a partition with async2_partition_lag is one of its lanes; async2_fenced_total > 0 means that
 * lane was fenced; async2_offset_gaps_total > 0 that it stopped at a gap.
 */
export function consumerLanes(url: string, scrape: MetricsScrape): ConsumerLanes {
  const lanes = new Map<number, LaneState>();
  for (const sample of scrape.series('async2_partition_lag')) {
    const partition = sample.labels.partition;
    const state: LaneState =
      scrape.sum('async2_fenced_total', { partition }) > 0 ? 'fenced' : scrape.sum('async2_offset_gaps_total', { partition }) > 0 ? 'stopped-at-gap' : 'active';
    lanes.set(Number(partition), state);
  }
  const paused = (reason: string) => scrape.sum('async2_paused_partitions', { reason });
  return { url, lanes, paused: { fenced: paused('fenced'), bufferFull: paused('buffer-full'), offsetGap: paused('offset-gap') } };
}

/** Scrapes each consumer's /metrics (in parallel, bounded in time); one that cannot be read says why. */
export function readConsumers(urls: readonly URL[], timeoutMs = 5000): Promise<ConsumerLanes[]> {
  return Promise.all(
    urls.map(async (url) => {
      const base = url.toString().replace(/\/$/, '');
      try {
        const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
        if (response.status !== 200) throw new Error(`GET ${base}/metrics answered ${response.status}`);
        return consumerLanes(base, new MetricsScrape(parsePrometheusText(await response.text())));
      } catch (error) {
        return { url: base, error: (error as Error).message, lanes: new Map(), paused: { fenced: 0, bufferFull: 0, offsetGap: 0 } };
      }
    }),
  );
}
