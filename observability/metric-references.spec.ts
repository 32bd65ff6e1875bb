import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { parse } from 'yaml';
// The registries of both apps: importing their metric modules registers every metric they export.
import '../apps/producer/src/platform/ingest.metrics';
import '../apps/producer/src/platform/pipeline-lag.metrics';
import '../apps/consumer/src/platform/consumer.metrics';

// The dashboard and the alert rules ship with the deployment; a metric renamed in code must fail
// here, not leave an empty panel or an alert that can never fire.
// One dashboard and one rule file, shipped by the Helm chart (helm/async2/files) and checked here.
const CHART_FILES = join(__dirname, '..', 'helm', 'async2', 'files');
const dashboard = JSON.parse(readFileSync(join(CHART_FILES, 'grafana-dashboard.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
const rules = parse(readFileSync(join(CHART_FILES, 'async2-alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };

const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

function exportedSeries(): Set<string> {
  const names = new Set<string>();
  for (const metric of register.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

function referencedMetrics(expr: string): string[] {
  return [...expr.matchAll(/\b(async2_[a-z0-9_]+)\b/g)].map((m) => m[1]);
}

describe('observability assets reference real metrics', () => {
  const exported = exportedSeries();
  const references = [
    ...dashboard.panels.flatMap((panel) => panel.targets.map((t) => ({ where: `dashboard panel "${panel.title}"`, expr: t.expr }))),
    ...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
  ];

  it('has panels and rules to check', () => {
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    expect(rules.groups[0].rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['Async2LagGrowing', 'Async2Fenced', 'Async2DeadLetters', 'Async2FlushErrors']));
  });

  it.each(references)('$where uses only exported metrics', ({ expr }) => {
    const names = referencedMetrics(expr);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect({ name, exported: exported.has(name) }).toEqual({ name, exported: true });
  });

  it('charts every metric the apps export (except the Node process defaults)', () => {
    const charted = new Set(references.flatMap((r) => referencedMetrics(r.expr)).map((n) => n.replace(HISTOGRAM_SERIES, '')));
    const ours = [...exported].filter((n) => !/^async2_(producer|consumer)_/.test(n) && !HISTOGRAM_SERIES.test(n));
    expect(ours.filter((n) => !charted.has(n))).toEqual([]);
  });
});
