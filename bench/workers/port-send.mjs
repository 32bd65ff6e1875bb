// Baseline "bare client send through the Kafka port": the producer's own sender (idempotent,
// acks=all, explicit partitions = murmur2(id), every answer checked) on the client `client` names,
// without the app around it. `events` records in sends of `batchSize`, `concurrency` sends
// outstanding (the adapters take them one at a time). With `latencyRounds`, the produce latency of
// one send of `batchSize` records at a time instead (what a coalesced single-event request waits for
// at the least). Uses the built libs from dist/ (build first).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { workerMain } from '../lib/child.mjs';
import { benchEvent, benchRecord } from '../lib/event-records.mjs';
import { ROOT } from '../lib/services.mjs';

const require = createRequire(import.meta.url);
const { openKafkaPort } = require(join(ROOT, 'dist/libs/data-access/src/index.js'));
const { partitionForKey } = require(join(ROOT, 'dist/libs/domain/src/index.js'));

workerMain(async ({ client, brokers, topic, events, idCount, batchSize = 5000, concurrency = 4, tag = 'b', latencyRounds = 0 }) => {
  const port = await openKafkaPort({ client, brokers, clientId: `bench-port-send-${client}`, ssl: false });
  const admin = port.admin();
  const partitions = await admin.partitionCount(topic);
  await admin.close();
  const sender = port.sender({ sendTimeoutMs: 60_000 });
  try {
    // The records are built before the clock starts, as an HTTP client's bodies are.
    const ts = Date.now();
    const chunks = [];
    for (let start = 0; start < events; start += batchSize) {
      const chunk = [];
      for (let i = start; i < Math.min(events, start + batchSize); i++) {
        const record = benchRecord(benchEvent(i, idCount, tag), ts);
        chunk.push({ partition: partitionForKey(record.key, partitions), key: record.key, value: record.value });
      }
      chunks.push(chunk);
    }
    await sender.send(topic, chunks[0].slice(0, 10)); // connect and learn the leaders before the clock
    if (latencyRounds > 0) {
      const ms = [];
      for (let i = 0; i < latencyRounds; i++) {
        const t0 = process.hrtime.bigint();
        await sender.send(topic, chunks[i % chunks.length]);
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      ms.sort((a, b) => a - b);
      return { p50Ms: ms[Math.floor(ms.length * 0.5)], p99Ms: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] };
    }
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < chunks.length) await sender.send(topic, chunks[next++]);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { events, seconds, rate: events / seconds };
  } finally {
    await sender.close();
  }
});
