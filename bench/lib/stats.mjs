// Figures from repeated measurements and from Prometheus histograms. Pure functions.

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
export const min = (xs) => Math.min(...xs);
export const max = (xs) => Math.max(...xs);

/**
 * A quantile of a Prometheus histogram given as cumulative bucket counts [{ le, count }] (le =
 * Infinity last), by linear interpolation inside the bucket as Prometheus' histogram_quantile does.
 */
export function histogramQuantile(q, buckets) {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      if (le === Infinity) return lowerLe; // beyond the last finite bucket: its bound is all we know
      const inBucket = count - lowerCount;
      return inBucket === 0 ? le : lowerLe + ((le - lowerLe) * (rank - lowerCount)) / inBucket;
    }
    lowerLe = le;
    lowerCount = count;
  }
  return lowerLe;
}

/** The difference of two scrapes of the same cumulative histogram (what happened in between). */
export const histogramDelta = (after, before) =>
  after.map((b, i) => ({ le: b.le, count: b.count - (before?.[i]?.count ?? 0) }));

/** Cumulative buckets of `name`, summed over every label set but `le`, from Prometheus text. */
export function parseHistogram(text, name) {
  const sums = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}_bucket{`)) continue;
    const le = /le="([^"]+)"/.exec(line)[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const key = le === '+Inf' ? Infinity : Number(le);
    sums.set(key, (sums.get(key) ?? 0) + value);
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}

/** Sum of a counter or gauge over every label set, from Prometheus text. */
export function sumMetric(text, name) {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The q-quantile of sorted values (nearest rank); NaN for none. */
export const quantile = (sorted, q) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
