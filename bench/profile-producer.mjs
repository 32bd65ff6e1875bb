#!/usr/bin/env node
// One load on one producer under --cpu-prof, so its profile holds that load alone (the bench's
// --cpu-prof profiles the producer across every row of the scenario). Uses the built dist/.
//   KAFKA_BROKERS=127.0.0.1:9092 node bench/profile-producer.mjs stream|single|batch [seconds|events] [dir]
// Prints the load's figures; the profile is written to dir (default bench/profiles/<load>).
import { join } from 'node:path';
import { runWorker } from './lib/child.mjs';
import { appScript, createDatabase, createTopic, freePort, ROOT, startProcess, uniqueName } from './lib/services.mjs';

const [load = 'stream', sizeArg, dirArg] = process.argv.slice(2);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dir = dirArg ?? join(ROOT, 'bench', 'profiles', load);

const topic = uniqueName('bench-profile');
await createTopic(brokers, topic, 4);
const db = await createDatabase(adminUrl);
const grpcPort = await freePort();
const spawned = Date.now();
const producer = await startProcess('producer', appScript('producer'), {
  port: await freePort(),
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  env: { KAFKA_CLIENT: process.env.KAFKA_CLIENT ?? 'platformatic', KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic, DATABASE_URL: db.url, GRPC_PORT: String(grpcPort), CONSUMER_GROUP: 'bench', ...JSON.parse(process.env.PRODUCER_ENV ?? '{}') },
});
try {
  const target = `127.0.0.1:${grpcPort}`;
  const jobs = {
    stream: (size) => runWorker('grpc-stream', { target, events: size, streams: 4, idCount: 10_000 }),
    single: (size) => runWorker('http-load', { url: producer.url, path: '/v1/events', mode: 'single', connections: 64, seconds: size }),
    batch: (size) => runWorker('http-load', { url: producer.url, path: '/v1/events:batch', mode: 'batch', batchSize: 500, connections: 8, seconds: size }),
  };
  const size = Number(sizeArg ?? (load === 'stream' ? 200_000 : 10));
  await jobs[load](load === 'stream' ? 10_000 : 1); // warm-up: JIT, connections, metadata
  const from = Date.now();
  const result = await jobs[load](size);
  // The load's window in the profile, in seconds from the process start (for trimming start-up away).
  console.log(JSON.stringify({ ...result, window: [(from - spawned) / 1000, (Date.now() - spawned) / 1000] }));
} finally {
  await producer.stop();
  await db.drop();
}
