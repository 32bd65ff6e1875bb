// Consumer memory under overload: a backlog of ~0.35 KiB `set` events on one partition, at least ten
// times what the consumer folds while it is watched (sizes.overloadSeconds; the first row says how
// many times it really was). RSS is sampled every 250 ms. "Flat": after a warm-up (the first 20% of
// the window: V8's heap and kafkajs's fetch buffers growing to their working size), the highest RSS
// of the last 40% is at most 1.25x the highest of the 40% before it. The buffer bounds pause
// fetching, so Kafka keeps the backlog, not the consumer.
import { runWorker } from '../lib/child.mjs';
import { runConsumers } from '../lib/consumer-run.mjs';
import { createTopic, rssMiB, uniqueName } from '../lib/services.mjs';

export async function overload(ctx) {
  const { results: r, sizes } = ctx;
  r.define('overload-factor', { label: 'overload: backlog / events folded while watched', unit: 'x' })
    .define('overload-rss-peak', { label: `overload: consumer peak RSS [${ctx.defaultClient}]`, unit: 'MiB' })
    .define('overload-rss-growth', { label: `overload: RSS peak last 40% / middle 40% [${ctx.defaultClient}]`, unit: 'ratio', target: { flat: 1.25 } });
  const backlog = sizes.overloadEvents;
  const topic = uniqueName('bench-overload');
  await createTopic(ctx.brokers, topic, 1);
  await runWorker('kafka-send', { brokers: ctx.brokers, topic, events: backlog, idCount: 200_000, tag: 'o', padBytes: 256 });
  for (let rep = 1; rep <= ctx.reps; rep++) {
    const samples = [];
    const t0 = Date.now();
    let last = 0;
    const run = await runConsumers(ctx, {
      topic,
      expected: backlog,
      stopAfterMs: sizes.overloadSeconds * 1000,
      partitionsPerInstance: ['0'],
      onSample: (_n, procs) => {
        if (Date.now() - last < 250 || procs.length === 0) return;
        last = Date.now();
        samples.push({ t: (Date.now() - t0) / 1000, rss: rssMiB(procs[0].pid) });
      },
    });
    const warm = Math.floor(samples.length * 0.2);
    const half = warm + Math.floor((samples.length - warm) / 2);
    const peak = (xs) => Math.max(...xs.map((s) => s.rss));
    r.add('overload-factor', backlog / Math.max(1, run.committed));
    r.add('overload-rss-peak', peak(samples));
    r.add('overload-rss-growth', peak(samples.slice(half)) / peak(samples.slice(warm, half)));
    if (rep === 1) r.addSeries(`consumer RSS with a ${backlog.toLocaleString('en-US')}-event backlog`, 'MiB', samples.map((s) => ({ t: s.t, rss: s.rss })));
    ctx.log(`rep ${rep}: backlog ${backlog}, committed ${run.committed} in ${run.seconds.toFixed(1)} s, RSS ${samples[0]?.rss.toFixed(0)} -> peak ${peak(samples).toFixed(0)} MiB`);
  }
}
