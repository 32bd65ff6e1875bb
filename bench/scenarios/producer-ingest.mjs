// Producer edge: bare kafkajs batched send (baseline) -> HTTP batch ingest -> gRPC PublishStream, and
// the bare Nest-on-Fastify echo handler (baseline) -> single-event HTTP at concurrency 64.
import { join } from 'node:path';
import { runWorker } from '../lib/child.mjs';
import { appScript, createDatabase, createTopic, freePort, ROOT, startProcess, uniqueName } from '../lib/services.mjs';

export async function producerIngest(ctx) {
  const { results: r, sizes } = ctx;
  r.define('kafka-send', { label: 'bare kafkajs send (5,000/send, 4 in flight)', unit: 'events/s' })
    .define('http-batch', { label: 'HTTP batch ingest (500/request, 8 conns)', unit: 'events/s', baseline: 'kafka-send', target: { ratio: 0.8 } })
    .define('grpc-stream', { label: 'gRPC PublishStream (4 streams)', unit: 'events/s', baseline: 'kafka-send' })
    .define('kafka-rtt-p50', { label: 'bare kafkajs send of 64 records, one at a time, p50', unit: 'ms' })
    .define('kafka-rtt-p99', { label: 'bare kafkajs send of 64 records, one at a time, p99', unit: 'ms' })
    .define('single-ceiling', { label: 'single-event ceiling: 64 / produce p50', unit: 'req/s' })
    .define('echo', { label: 'bare Nest+Fastify echo (64 conns)', unit: 'req/s' })
    .define('echo-p99', { label: 'echo p99', unit: 'ms' })
    .define('http-single', { label: 'single-event HTTP (64 conns)', unit: 'req/s', baseline: 'echo', target: { ratio: 0.6 } })
    .define('http-single-p50', { label: 'single-event HTTP p50', unit: 'ms' })
    .define('http-single-p99', { label: 'single-event HTTP p99', unit: 'ms', target: { atMost: 20 } });

  const topic = uniqueName('bench-ingest');
  await createTopic(ctx.brokers, topic, 4);
  const db = await createDatabase(ctx.adminUrl);
  const [port, grpcPort, echoPort] = [await freePort(), await freePort(), await freePort()];
  const producer = await startProcess('producer', appScript('producer'), {
    port,
    nodeArgs: ctx.profileArgs('producer'),
    env: { KAFKA_BROKERS: ctx.brokers.join(','), KAFKA_TOPIC: topic, DATABASE_URL: db.url, GRPC_PORT: String(grpcPort), CONSUMER_GROUP: 'bench' },
  });
  const echo = await startProcess('echo', join(ROOT, 'bench', 'echo-app', 'echo-server.mjs'), { port: echoPort, readyPath: '/health' });
  try {
    // Warm-up: JIT, connections, metadata.
    await runWorker('http-load', { url: producer.url, path: '/v1/events:batch', mode: 'batch', connections: 8, seconds: 1 });
    await runWorker('http-load', { url: echo.url, path: '/echo', mode: 'echo', connections: 64, seconds: 1 });
    for (let rep = 1; rep <= ctx.reps; rep++) {
      const send = await runWorker('kafka-send', { brokers: ctx.brokers, topic, events: sizes.sendEvents, idCount: 10_000, batchSize: 5000, concurrency: 4 });
      r.add('kafka-send', send.rate);
      const batch = await runWorker('http-load', { url: producer.url, path: '/v1/events:batch', mode: 'batch', batchSize: 500, connections: 8, seconds: sizes.httpSeconds });
      if (batch.non2xx + batch.errors > 0) ctx.log(`http batch: ${batch.non2xx} non-2xx, ${batch.errors} errors`);
      r.add('http-batch', batch.eventRate);
      const stream = await runWorker('grpc-stream', { target: `127.0.0.1:${grpcPort}`, events: sizes.grpcEvents, streams: 4, idCount: 10_000 });
      r.add('grpc-stream', stream.rate);

      const rtt = await runWorker('kafka-send', { brokers: ctx.brokers, topic, events: 6400, idCount: 10_000, batchSize: 64, latencyRounds: sizes.latencyRounds });
      r.add('kafka-rtt-p50', rtt.p50Ms);
      r.add('kafka-rtt-p99', rtt.p99Ms);
      r.add('single-ceiling', 64 / (rtt.p50Ms / 1000));
      const bare = await runWorker('http-load', { url: echo.url, path: '/echo', mode: 'echo', connections: 64, seconds: sizes.httpSeconds });
      r.add('echo', bare.requestRate);
      r.add('echo-p99', bare.p99Ms);
      const single = await runWorker('http-load', { url: producer.url, path: '/v1/events', mode: 'single', connections: 64, seconds: sizes.httpSeconds });
      if (single.non2xx + single.errors > 0) ctx.log(`http single: ${single.non2xx} non-2xx, ${single.errors} errors`);
      r.add('http-single', single.requestRate);
      r.add('http-single-p50', single.p50Ms);
      r.add('http-single-p99', single.p99Ms);
      ctx.log(`rep ${rep}: send ${Math.round(send.rate)}/s, http batch ${Math.round(batch.eventRate)}/s, grpc ${Math.round(stream.rate)}/s, echo ${Math.round(bare.requestRate)} req/s, single ${Math.round(single.requestRate)} req/s p99 ${single.p99Ms} ms, produce of 64 p50 ${rtt.p50Ms.toFixed(1)} ms`);
    }
  } finally {
    await echo.stop();
    await producer.stop();
    await db.drop();
  }
}
