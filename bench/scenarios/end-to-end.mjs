// End to end at a steady rate: HTTP batches of 100 -> producer -> Kafka -> consumer -> EVENTS. First
// a short probe at full speed measures the pipeline's capacity with both apps on the machine (events
// sent / time until all are committed); then the steady load offers 80% of it. Visibility lag is the
// consumer's own histogram (producer timestamp -> commit of the flush holding the event), scraped
// every second for the lag-over-time line; p50/p99 over the whole run by histogram interpolation.
// Once per Kafka client (KAFKA_CLIENT for both apps), in alternating order per repetition.
import { runWorker } from '../lib/child.mjs';
import { appScript, createDatabase, createTopic, freePort, scrape, sleep, startProcess, uniqueName, waitForCommitted } from '../lib/services.mjs';
import { histogramDelta, histogramQuantile, parseHistogram } from '../lib/stats.mjs';

const LAG = 'async2_visibility_lag_seconds';
const FLUSH_INTERVAL_MS = 1000;

export async function endToEnd(ctx) {
  const { results: r, sizes } = ctx;
  const limitMs = FLUSH_INTERVAL_MS + 250;
  for (const client of ctx.clients) {
    r.define(`e2e-capacity:${client}`, { label: `end to end capacity [${client}] (probe at full speed)`, unit: 'events/s', target: { atLeast: 100_000 } })
      .define(`e2e-rate:${client}`, { label: `end to end steady load offered [${client}]`, unit: 'events/s' })
      .define(`e2e-lag-p50:${client}`, { label: `visibility lag p50 at ~80% load [${client}]`, unit: 'ms' })
      .define(`e2e-lag-p99:${client}`, { label: `visibility lag p99 at ~80% load [${client}]`, unit: 'ms', target: { atMost: limitMs } });
  }
  for (let rep = 1; rep <= ctx.reps; rep++) {
    for (const client of rep % 2 === 1 ? ctx.clients : [...ctx.clients].reverse()) await endToEndRound(ctx, { client, rep });
  }
}

async function endToEndRound(ctx, { client, rep }) {
  const { results: r, sizes } = ctx;
  const topic = uniqueName('bench-e2e');
  await createTopic(ctx.brokers, topic, 4);
  const db = await createDatabase(ctx.adminUrl);
  const env = { KAFKA_CLIENT: client, KAFKA_BROKERS: ctx.brokers.join(','), KAFKA_TOPIC: topic, DATABASE_URL: db.url, CONSUMER_GROUP: 'bench-e2e' };
  const producer = await startProcess('producer', appScript('producer'), { port: await freePort(), nodeArgs: ctx.profileArgs('producer'), env: { ...env, GRPC_PORT: String(await freePort()), ...ctx.producerEnv } });
  const consumer = await startProcess('consumer', appScript('consumer'), { port: await freePort(), nodeArgs: ctx.profileArgs('consumer'), env: { ...env, FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS), ...ctx.consumerEnv } });
  try {
    const probeStart = process.hrtime.bigint();
    const probe = await runWorker('http-load', { url: producer.url, path: '/v1/events:batch', mode: 'batch', batchSize: 100, connections: 32, seconds: sizes.e2eProbeSeconds, tag: `p${rep}` });
    await waitForCommitted(db.url, 'bench-e2e', probe.requests * 100, { timeoutMs: 120_000 });
    const capacity = (probe.requests * 100) / (Number(process.hrtime.bigint() - probeStart) / 1e9);
    r.add(`e2e-capacity:${client}`, capacity);
    // --e2e-rate N offers N events/s instead: the visibility lag of two builds compared at one load.
    const rate = ctx.e2eRate ?? Math.max(1000, Math.round((capacity * 0.8) / 100) * 100);
    await sleep(1500); // the probe's last flush leaves the histogram before the measured run
    const before = parseHistogram(await scrape(consumer), LAG);
    const points = [];
    let sampling = true;
    const sampler = (async () => {
      let prev = before;
      const t0 = Date.now();
      while (sampling) {
        await sleep(1000);
        const now = parseHistogram(await scrape(consumer), LAG);
        const delta = histogramDelta(now, prev);
        prev = now;
        points.push({ t: (Date.now() - t0) / 1000, p50: histogramQuantile(0.5, delta) * 1000, p99: histogramQuantile(0.99, delta) * 1000 });
      }
    })();
    const load = await runWorker('http-load', { url: producer.url, path: '/v1/events:batch', mode: 'batch', batchSize: 100, connections: 64, seconds: sizes.e2eSeconds, overallRate: rate / 100, tag: `e${rep}` });
    await waitForCommitted(db.url, 'bench-e2e', (probe.requests + load.requests) * 100, { timeoutMs: 120_000 });
    await sleep(1200); // the last flush's observations reach the histogram
    sampling = false;
    await sampler;
    const whole = histogramDelta(parseHistogram(await scrape(consumer), LAG), before);
    r.add(`e2e-rate:${client}`, load.eventRate);
    r.add(`e2e-lag-p50:${client}`, histogramQuantile(0.5, whole) * 1000);
    r.add(`e2e-lag-p99:${client}`, histogramQuantile(0.99, whole) * 1000);
    if (rep === 1) r.addSeries(`visibility lag per second at ${rate} events/s offered [${client}]`, 'ms', points);
    ctx.log(`rep ${rep} ${client}: capacity ${Math.round(capacity)}/s, offered ${rate}/s, carried ${Math.round(load.eventRate)}/s (${load.non2xx} non-2xx), lag p50 ${Math.round(histogramQuantile(0.5, whole) * 1000)} ms p99 ${Math.round(histogramQuantile(0.99, whole) * 1000)} ms`);
  } finally {
    await producer.stop();
    await consumer.stop();
    await db.drop();
  }
}
