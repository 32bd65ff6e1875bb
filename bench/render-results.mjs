#!/usr/bin/env node
// Re-renders a saved run (bench/results/<date>.json): prints its table and rewrites its .svg, e.g.
// after a change to how ratios are summarised.  node bench/render-results.mjs bench/results/<date>.json
import { readFileSync } from 'node:fs';
import { writeReport } from './lib/report.mjs';
import { Results } from './lib/results.mjs';

const file = process.argv[2];
if (!file?.endsWith('.json')) throw new Error('usage: render-results.mjs bench/results/<date>.json');
const run = JSON.parse(readFileSync(file, 'utf8'));
// Files written before `rows` was saved: rebuild the targets from their printed form.
const targetOf = (text) => {
  const ratio = /^>= ([\d.]+)x/.exec(text ?? '');
  const flat = /^<= ([\d.]+)x \(flat\)/.exec(text ?? '');
  const atMost = /^<= ([\d.]+) /.exec(text ?? '');
  return ratio ? { ratio: Number(ratio[1]) } : flat ? { flat: Number(flat[1]) } : atMost ? { atMost: Number(atMost[1]) } : undefined;
};
const rows = run.rows ?? run.summary.map((r) => ({ id: r.id, label: r.label, unit: r.unit, baseline: r.baseline, target: targetOf(r.target), note: r.note, values: r.values }));
const { summary: _summary, rows: _rows, series, ...meta } = run;
writeReport(file.replace(/\.json$/, ''), meta, Results.fromRows(rows, series));
