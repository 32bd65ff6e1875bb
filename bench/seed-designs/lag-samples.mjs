// Visibility lag samples (ms from receive to commit in EVENTS), one per event, and their quantiles.
import { quantile } from '../lib/stats.mjs';

export class LagSamples {
  samples = [];

  add(ms) {
    this.samples.push(ms);
  }

  /** Count, p50 and p99 of the samples so far; `reset` starts a new window. */
  take(reset) {
    const sorted = Float64Array.from(this.samples).sort();
    if (reset) this.samples = [];
    return { count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
  }
}
