#!/usr/bin/env node
// Both Kafka port adapters side by side, same process, same broker: records/s of RecordSender.send
// (idempotent, acks=all, explicit partitions, every answer checked). 4 partitions, 200-byte values,
// batches of 5,000, 4 sends outstanding (the adapters take them one at a time), REPS repetitions
// alternating the clients; prints each figure and the medians, asserts nothing.
// Uses the built data-access lib (`node tools/build/build.mjs` first).
//   node --disable-warning=TimeoutNegativeWarning tools/bench/port-send.mjs   (kafkajs sets negative timers)
// Env: KAFKA_BROKERS (a running broker; else a throwaway one on BENCH_KAFKA_PORT, default 39092),
//      RECORDS (per repetition and client, default 200000), REPS (3).
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureLocalKafka } from '../local-kafka/kafka.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const { KAFKA_CLIENTS, openKafkaPort } = require(join(root, 'dist/libs/data-access/src/index.js'));

const RECORDS = Number(process.env.RECORDS ?? 200_000);
const REPS = Number(process.env.REPS ?? 3);
const PARTITIONS = 4;
const BATCH = 5000;
const OUTSTANDING = 4;
const VALUE_BYTES = 200;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The batches of one run, made before the clock starts. */
const batches = Array.from({ length: Math.ceil(RECORDS / BATCH) }, (_, b) =>
  Array.from({ length: Math.min(BATCH, RECORDS - b * BATCH) }, (_, i) => {
    const n = b * BATCH + i;
    return { partition: n % PARTITIONS, key: `id-${n}`, value: Buffer.alloc(VALUE_BYTES, n % 251) };
  }),
);

/** Sends every batch with OUTSTANDING sends at a time; records/s from the first send to the last answer. */
async function run(port, topic) {
  const sender = port.sender({ sendTimeoutMs: 60_000 });
  try {
    await sender.send(topic, batches[0].slice(0, 10)); // connect and learn the partitions before the clock
    const started = process.hrtime.bigint();
    let next = 0;
    const lane = async () => {
      while (next < batches.length) await sender.send(topic, batches[next++]);
    };
    await Promise.all(Array.from({ length: OUTSTANDING }, lane));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return RECORDS / seconds;
  } finally {
    await sender.close();
  }
}

let kafka;
let brokers = process.env.KAFKA_BROKERS?.split(',');
if (!brokers) {
  kafka = await ensureLocalKafka({ ephemeral: true, port: Number(process.env.BENCH_KAFKA_PORT ?? 39092), log: (m) => console.log(`[port-send] ${m}`) });
  brokers = kafka.brokers.split(',');
}
try {
  const figures = Object.fromEntries(KAFKA_CLIENTS.map((c) => [c, []]));
  for (let rep = 0; rep < REPS; rep++) {
    const order = rep % 2 === 0 ? KAFKA_CLIENTS : [...KAFKA_CLIENTS].reverse();
    for (const client of order) {
      const port = await openKafkaPort({ client, brokers, clientId: `bench-${client}`, ssl: false });
      const admin = port.admin();
      const topic = `bench-port-send-${client}-${process.pid}-${rep}`;
      await admin.createTopics([{ topic, partitions: PARTITIONS, replicationFactor: 1 }]);
      await admin.close();
      const perSecond = await run(port, topic);
      figures[client].push(perSecond);
      console.log(`[port-send] rep ${rep + 1}/${REPS} ${client}: ${Math.round(perSecond).toLocaleString('en')} records/s`);
    }
  }
  console.log(`\nload average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${RECORDS.toLocaleString('en')} records of ${VALUE_BYTES} B per run, ${PARTITIONS} partitions, batches of ${BATCH}, ${OUTSTANDING} sends outstanding, ${REPS} repetitions`);
  console.log('client        median records/s   runs');
  for (const client of KAFKA_CLIENTS) {
    const runs = figures[client].map((x) => Math.round(x / 1000) + 'k').join(', ');
    console.log(`${client.padEnd(13)} ${Math.round(median(figures[client])).toLocaleString('en').padStart(17)}   ${runs}`);
  }
} finally {
  await kafka?.stop();
}
