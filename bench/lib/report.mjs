// The run's table (stdout and Markdown ready for docs/performance.md), its JSON file and its SVG chart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { renderSvg } from './svg-chart.mjs';
import { evaluateTargets, targetsMarkdown, targetsText } from './targets.mjs';
const fmt = (v) => {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
};
const verdict = (met) => (met === undefined ? '' : met ? 'met' : 'MISSED');

export function markdownTable(summary) {
  const lines = ['| figure | unit | median | min | max | ratio | target | |', '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |'];
  for (const r of summary) {
    lines.push(`| ${r.label} | ${r.unit} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`} | ${r.target ?? ''} | ${verdict(r.met)} |`);
  }
  return lines.join('\n');
}

export function textTable(summary) {
  const head = ['figure', 'unit', 'median', 'min', 'max', 'ratio', 'target', ''];
  const body = summary.map((r) => [r.label, r.unit, fmt(r.median), fmt(r.min), fmt(r.max), r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`, r.target ?? '', verdict(r.met)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/**
 * Writes <base>.json (the run, every repetition's value and the targets) and <base>.svg, and prints
 * the table and, last, the targets' summary block.
 */
export function writeReport(base, run, results) {
  const summary = results.summary();
  const targets = evaluateTargets(summary, run.clients);
  mkdirSync(dirname(base), { recursive: true });
  writeFileSync(`${base}.json`, `${JSON.stringify({ ...run, summary, targets, rows: results.toRows(), series: results.series }, null, 2)}\n`);
  writeFileSync(`${base}.svg`, renderSvg({ title: run.title, summary, series: results.series }));
  console.log(`\n${textTable(summary)}\n`);
  console.log(markdownTable(summary));
  console.log(`\n${targetsMarkdown(targets)}`);
  console.log(`\n${targetsText(targets)}\n`);
}
