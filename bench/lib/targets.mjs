// Issue 17's targets, from one run's summary: for each target whose figures this run has, the
// figure (a ratio or a value), the bound and met/missed. "reported" targets have no bound.
const FLUSH_INTERVAL_MS = 1000;

/** The targets, each with a `compute(row)` giving { figure, unit, met } or undefined when a row is missing. */
function targetSpecs(clients) {
  const specs = [];
  const ratio = (id) => (row) => row(id)?.ratio;
  const median = (id) => (row) => row(id)?.median;
  const atLeast = (bound) => (v) => v >= bound;
  const atMost = (bound) => (v) => v <= bound;
  for (const c of clients) {
    specs.push({ name: `HTTP batch ingest / Java ProducerPerformance [${c}]`, bound: '>= 0.5x', figure: ratio(`http-batch:${c}`), unit: 'x', met: atLeast(0.5) });
    specs.push({ name: `gRPC PublishStream / HTTP batch ingest [${c}]`, bound: '>= 0.8x', figure: ratio(`grpc-stream:${c}`), unit: 'x', met: atLeast(0.8) });
    specs.push({
      name: `single-event HTTP / bare Nest+Fastify echo, 64 connections [${c}]`,
      bound: '>= 0.6x at p99 <= 20 ms',
      figure: ratio(`http-single:${c}`),
      unit: 'x',
      extra: (row) => row(`http-single-p99:${c}`) && `p99 ${row(`http-single-p99:${c}`).median} ms`,
      met: (v, row) => v >= 0.6 && row(`http-single-p99:${c}`)?.median <= 20,
    });
    specs.push({ name: `consumer fold + flush / bare consume of the same client [${c}]`, bound: '>= 0.7x', figure: ratio(`fold:${c}`), unit: 'x', met: atLeast(0.7) });
  }
  specs.push({ name: 'flush rows/s (one partition) / server-side upsert', bound: '>= 0.5x', figure: ratio('flush-write'), unit: 'x', met: atLeast(0.5) });
  for (const c of clients) {
    specs.push({ name: `end to end capacity, 10,000 IDs, batched, 2 cores [${c}]`, bound: '>= 100,000 events/s', figure: median(`e2e-capacity:${c}`), unit: 'events/s', met: atLeast(100_000) });
    specs.push({ name: `visibility lag p99 at 80% load [${c}]`, bound: `<= ${FLUSH_INTERVAL_MS + 250} ms`, figure: median(`e2e-lag-p99:${c}`), unit: 'ms', met: atMost(FLUSH_INTERVAL_MS + 250) });
  }
  specs.push({ name: '2 consumer processes / 1 (2 partitions vs 1)', bound: '>= 1.3x', figure: ratio('scale-2'), unit: 'x', met: atLeast(1.3) });
  specs.push({
    name: 'consumer RSS under a 10x+ backlog, last 40% / middle 40%',
    bound: '<= 1.25x (flat), backlog >= 10x',
    figure: median('overload-rss-growth'),
    unit: 'x',
    // A backlog the consumer nearly catches up with says nothing about memory under overload.
    extra: (row) => row('overload-factor') && `backlog ${row('overload-factor').median.toFixed(1)}x`,
    met: (v, row) => v <= 1.25 && row('overload-factor')?.median >= 10,
  });
  for (const c of clients) {
    for (const [design, name] of [['sync', 'SYNC'], ['async1', 'ASYNC1']]) {
      const of = (a, b) => (row) => (row(a) && row(b) ? row(a).median / row(b).median : undefined);
      specs.push({ name: `ASYNC2 HTTP batch ingest [${c}] / ${name} HTTP batch ingest`, bound: 'reported', figure: of(`http-batch:${c}`, `seed-batch:${design}`), unit: 'x' });
      specs.push({ name: `ASYNC2 single-event HTTP [${c}] / ${name} single-event HTTP`, bound: 'reported', figure: of(`http-single:${c}`, `seed-single:${design}`), unit: 'x' });
    }
  }
  specs.push({ name: 'hot-key counters (1,000 IDs): rows written per event, 1 s flush', bound: '<= 0.001', figure: median('hot-key-rows'), unit: 'rows/event', met: atMost(0.001) });
  return specs;
}

/** [{ name, bound, figure, unit, note?, met? }] for every target the summary has the figures of. */
export function evaluateTargets(summary, clients = ['kafkajs']) {
  const byId = new Map(summary.map((r) => [r.id, r]));
  const row = (id) => byId.get(id);
  const out = [];
  for (const spec of targetSpecs(clients)) {
    const figure = spec.figure(row);
    if (figure === undefined || Number.isNaN(figure)) continue;
    out.push({ name: spec.name, bound: spec.bound, figure, unit: spec.unit, note: spec.extra?.(row) || undefined, met: spec.met ? spec.met(figure, row) : undefined });
  }
  return out;
}

const show = (t) => (t.unit === 'x' ? `${t.figure.toFixed(2)}x` : `${t.figure >= 100 ? Math.round(t.figure).toLocaleString('en-US') : t.figure.toFixed(t.figure < 0.1 ? 4 : 2)} ${t.unit}`);
const verdict = (t) => (t.met === undefined ? 'reported' : t.met ? 'met' : 'MISSED');

export function targetsText(targets) {
  const widths = [Math.max(6, ...targets.map((t) => t.name.length)), Math.max(6, ...targets.map((t) => t.bound.length)), Math.max(6, ...targets.map((t) => (show(t) + (t.note ? `, ${t.note}` : '')).length))];
  const line = (a, b, c, d) => `${a.padEnd(widths[0])}  ${b.padEnd(widths[1])}  ${c.padEnd(widths[2])}  ${d}`;
  return ['Targets (issue 17), this run:', line('target', 'bound', 'figure', ''), ...targets.map((t) => line(t.name, t.bound, show(t) + (t.note ? `, ${t.note}` : ''), verdict(t)))].join('\n');
}

export function targetsMarkdown(targets) {
  return ['| target | bound | this run | |', '| --- | --- | ---: | --- |', ...targets.map((t) => `| ${t.name} | ${t.bound} | ${show(t)}${t.note ? `, ${t.note}` : ''} | ${verdict(t)} |`)].join('\n');
}
