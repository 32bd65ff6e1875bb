// Producer edge, for each Kafka client (KAFKA_CLIENT) in the same run: the Java client's
// ProducerPerformance (baseline, once per repetition) and the bare send through the Kafka port ->
// HTTP batch ingest -> gRPC PublishStream; the bare Nest-on-Fastify echo handler (baseline) ->
// single-event HTTP at concurrency 64; a bare grpc-js PublishStream echo (what gRPC costs alone). The clients take turns, in alternating order per repetition.
import { join } from 'node:path';
import { runWorker } from '../lib/child.mjs';
import { benchEvent, benchRecord } from '../lib/event-records.mjs';
import { javaProducerPerformance } from '../lib/java-producer-perf.mjs';
import { appScript, createDatabase, createTopic, freePort, ROOT, startProcess, uniqueName } from '../lib/services.mjs';

/** Key + value bytes of one bench record: what the Java baseline sends per record. */
const RECORD_BYTES = (() => {
  const r = benchRecord(benchEvent(1234, 10_000));
  return Buffer.byteLength(r.key) + Buffer.byteLength(r.value);
})();

function defineRows(r, client) {
  const c = `[${client}]`;
  r.define(`port-send:${client}`, { label: `bare send through the port ${c} (5,000/send, 4 outstanding)`, unit: 'events/s', baseline: 'java-perf' })
    .define(`http-batch:${client}`, { label: `HTTP batch ingest ${c} (500/request, 8 conns)`, unit: 'events/s', baseline: 'java-perf', target: { ratio: 0.5 } })
    .define(`http-batch-p99:${client}`, { label: `HTTP batch ingest p99 ${c}`, unit: 'ms' })
    .define(`grpc-stream:${client}`, { label: `gRPC PublishStream ${c} (4 streams)`, unit: 'events/s', baseline: `http-batch:${client}`, target: { ratio: 0.8 } })
    .define(`port-rtt-p50:${client}`, { label: `bare send of 64 records through the port ${c}, one at a time, p50`, unit: 'ms' })
    .define(`port-rtt-p99:${client}`, { label: `bare send of 64 records through the port ${c}, one at a time, p99`, unit: 'ms' })
    .define(`single-ceiling:${client}`, { label: `single-event ceiling ${c}: 64 / produce p50`, unit: 'req/s' })
    .define(`http-single:${client}`, { label: `single-event HTTP ${c} (64 conns)`, unit: 'req/s', baseline: 'echo', target: { ratio: 0.6 } })
    .define(`http-single-p50:${client}`, { label: `single-event HTTP p50 ${c}`, unit: 'ms' })
    .define(`http-single-p99:${client}`, { label: `single-event HTTP p99 ${c}`, unit: 'ms', target: { atMost: 20 } });
}

export async function producerIngest(ctx) {
  const { results: r, sizes } = ctx;
  r.define('java-perf', { label: `Java ProducerPerformance (${RECORD_BYTES} B records, acks=all, idempotent)`, unit: 'events/s' })
    .define('echo', { label: 'bare Nest+Fastify echo (64 conns)', unit: 'req/s' })
    .define('echo-p99', { label: 'echo p99', unit: 'ms' })
    .define('grpc-echo', { label: 'bare grpc-js PublishStream echo (4 streams; an answer per event, no work)', unit: 'events/s' });
  for (const client of ctx.clients) defineRows(r, client);

  const topic = uniqueName('bench-ingest');
  await createTopic(ctx.brokers, topic, 4);
  const db = await createDatabase(ctx.adminUrl);
  const producers = {};
  const echoGrpcPort = await freePort();
  const echo = await startProcess('echo', join(ROOT, 'bench', 'echo-app', 'echo-server.mjs'), { port: await freePort(), readyPath: '/health', env: { GRPC_PORT: String(echoGrpcPort) } });
  try {
    for (const client of ctx.clients) {
      const grpcPort = await freePort();
      producers[client] = await startProcess(`producer-${client}`, appScript('producer'), {
        port: await freePort(),
        nodeArgs: ctx.profileArgs('producer'),
        env: { KAFKA_CLIENT: client, KAFKA_BROKERS: ctx.brokers.join(','), KAFKA_TOPIC: topic, DATABASE_URL: db.url, GRPC_PORT: String(grpcPort), CONSUMER_GROUP: 'bench', ...ctx.producerEnv },
      });
      producers[client].grpcTarget = `127.0.0.1:${grpcPort}`;
      // Warm-up: JIT, connections, metadata.
      await runWorker('http-load', { url: producers[client].url, path: '/v1/events:batch', mode: 'batch', connections: 8, seconds: 1 });
    }
    await runWorker('http-load', { url: echo.url, path: '/echo', mode: 'echo', connections: 64, seconds: 1 });
    for (let rep = 1; rep <= ctx.reps; rep++) {
      const java = await javaProducerPerformance({ brokers: ctx.brokers, topic, records: sizes.javaRecords, recordBytes: RECORD_BYTES, log: ctx.log });
      r.add('java-perf', java.rate);
      const bare = await runWorker('http-load', { url: echo.url, path: '/echo', mode: 'echo', connections: 64, seconds: sizes.httpSeconds });
      r.add('echo', bare.requestRate);
      r.add('echo-p99', bare.p99Ms);
      const grpcEcho = await runWorker('grpc-stream', { target: `127.0.0.1:${echoGrpcPort}`, events: sizes.grpcEvents, streams: 4, idCount: 10_000 });
      r.add('grpc-echo', grpcEcho.rate);
      ctx.log(`rep ${rep}: Java ProducerPerformance ${Math.round(java.rate)}/s, echo ${Math.round(bare.requestRate)} req/s p99 ${bare.p99Ms} ms, grpc-js echo ${Math.round(grpcEcho.rate)} events/s`);
      const order = rep % 2 === 1 ? ctx.clients : [...ctx.clients].reverse();
      for (const client of order) await clientRound(ctx, { client, topic, producer: producers[client] });
    }
  } finally {
    await echo.stop();
    for (const p of Object.values(producers)) await p.stop();
    await db.drop();
  }
}

/** One repetition of one client's rows. */
async function clientRound(ctx, { client, topic, producer }) {
  const { results: r, sizes } = ctx;
  const send = await runWorker('port-send', { client, brokers: ctx.brokers, topic, events: sizes.sendEvents, idCount: 10_000, batchSize: 5000, concurrency: 4 });
  r.add(`port-send:${client}`, send.rate);
  const batch = await runWorker('http-load', { url: producer.url, path: '/v1/events:batch', mode: 'batch', batchSize: 500, connections: 8, seconds: sizes.httpSeconds });
  if (batch.non2xx + batch.errors > 0) ctx.log(`${client} http batch: ${batch.non2xx} non-2xx, ${batch.errors} errors`);
  r.add(`http-batch:${client}`, batch.eventRate);
  r.add(`http-batch-p99:${client}`, batch.p99Ms);
  const stream = await runWorker('grpc-stream', { target: producer.grpcTarget, events: sizes.grpcEvents, streams: 4, idCount: 10_000 });
  r.add(`grpc-stream:${client}`, stream.rate);
  const rtt = await runWorker('port-send', { client, brokers: ctx.brokers, topic, events: 6400, idCount: 10_000, batchSize: 64, latencyRounds: sizes.latencyRounds });
  r.add(`port-rtt-p50:${client}`, rtt.p50Ms);
  r.add(`port-rtt-p99:${client}`, rtt.p99Ms);
  r.add(`single-ceiling:${client}`, 64 / (rtt.p50Ms / 1000));
  const single = await runWorker('http-load', { url: producer.url, path: '/v1/events', mode: 'single', connections: 64, seconds: sizes.httpSeconds });
  if (single.non2xx + single.errors > 0) ctx.log(`${client} http single: ${single.non2xx} non-2xx, ${single.errors} errors`);
  r.add(`http-single:${client}`, single.requestRate);
  r.add(`http-single-p50:${client}`, single.p50Ms);
  r.add(`http-single-p99:${client}`, single.p99Ms);
  ctx.log(`${client}: port send ${Math.round(send.rate)}/s, http batch ${Math.round(batch.eventRate)}/s, grpc ${Math.round(stream.rate)}/s, single ${Math.round(single.requestRate)} req/s p99 ${single.p99Ms} ms, produce of 64 p50 ${rtt.p50Ms.toFixed(1)} ms`);
}
