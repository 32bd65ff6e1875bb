// The figures of one run: rows (a measured quantity, its baseline and its design target) with one
// value per repetition, and time series for the chart.
import { max, median, min } from './stats.mjs';

export class Results {
  rows = new Map();
  series = [];

  /**
   * `baseline`: the id of the row this one is divided by (same repetition count, same run).
   * `target`: { ratio } (ratio to baseline at least), { atLeast } / { atMost } (the median's bounds),
   * { flat } (RSS).
   */
  define(id, { label, unit, baseline, target, note }) {
    if (!this.rows.has(id)) this.rows.set(id, { id, label, unit, baseline, target, note, values: [] });
    return this;
  }

  add(id, value) {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no row ${id}`);
    row.values.push(value);
  }

  addSeries(name, unit, points) {
    this.series.push({ name, unit, points });
  }

  /** Rows as saved in the JSON file, from which `fromRows` rebuilds the same summary. */
  toRows() {
    return [...this.rows.values()];
  }

  static fromRows(rows, series = []) {
    const results = new Results();
    for (const row of rows) results.rows.set(row.id, { ...row, values: [...row.values] });
    results.series = series;
    return results;
  }

  /**
   * Median, min, max, the ratio to the baseline and whether the target is met. The ratio is the
   * median of the per-repetition ratios (each scenario ran right after its baseline, so the pair
   * shares the machine's load of that moment), or the ratio of medians when the counts differ.
   */
  summary() {
    return [...this.rows.values()].filter((r) => r.values.length > 0).map((row) => {
      const med = median(row.values);
      const base = row.baseline ? this.rows.get(row.baseline) : undefined;
      let ratio;
      if (base?.values.length === row.values.length) ratio = median(row.values.map((v, i) => v / base.values[i]));
      else if (base?.values.length) ratio = med / median(base.values);
      let met;
      let target;
      if (row.target?.ratio !== undefined) {
        target = `>= ${row.target.ratio}x ${base?.label ?? row.baseline}`;
        met = ratio !== undefined ? ratio >= row.target.ratio : undefined;
      } else if (row.target?.atLeast !== undefined) {
        target = `>= ${row.target.atLeast.toLocaleString('en-US')} ${row.unit}`;
        met = med >= row.target.atLeast;
      } else if (row.target?.atMost !== undefined) {
        target = `<= ${row.target.atMost} ${row.unit}`;
        met = med <= row.target.atMost;
      } else if (row.target?.flat !== undefined) {
        target = `<= ${row.target.flat}x (flat)`;
        met = med <= row.target.flat;
      }
      return { id: row.id, label: row.label, unit: row.unit, median: med, min: min(row.values), max: max(row.values), n: row.values.length, baseline: row.baseline, ratio, target, met, note: row.note, values: row.values };
    });
  }
}
