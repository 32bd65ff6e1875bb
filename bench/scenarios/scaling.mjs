// Scaling: the same backlog on topics of 1, 2 and 4 partitions, one consumer process per partition
// (as the StatefulSet runs them). The baseline is the 1-partition figure of the same repetition.
import { runWorker } from '../lib/child.mjs';
import { runConsumers } from '../lib/consumer-run.mjs';
import { createTopic, uniqueName } from '../lib/services.mjs';

const LAYOUTS = [1, 2, 4];

export async function scaling(ctx) {
  const { results: r, sizes } = ctx;
  for (const p of LAYOUTS) {
    r.define(`scale-${p}`, { label: `scaling: ${p} partition${p > 1 ? 's' : ''} / ${p} consumer process${p > 1 ? 'es' : ''} [${ctx.defaultClient}]`, unit: 'events/s', baseline: p > 1 ? 'scale-1' : undefined, target: p === 2 ? { ratio: 1.3 } : undefined });
  }
  const topics = {};
  for (const p of LAYOUTS) {
    topics[p] = uniqueName(`bench-scale${p}`);
    await createTopic(ctx.brokers, topics[p], p);
    await runWorker('kafka-send', { brokers: ctx.brokers, topic: topics[p], events: sizes.scalingEvents, idCount: 10_000, tag: 's' });
  }
  for (let rep = 1; rep <= ctx.reps; rep++) {
    for (const p of LAYOUTS) {
      const run = await runConsumers(ctx, { topic: topics[p], expected: sizes.scalingEvents, partitionsPerInstance: Array.from({ length: p }, (_, i) => String(i)) });
      r.add(`scale-${p}`, run.rate);
      ctx.log(`rep ${rep}: ${p} partition(s): ${Math.round(run.rate)} events/s`);
    }
  }
}
