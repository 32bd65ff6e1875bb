// Baseline "bare kafkajs batched send", and the tool that pre-fills topics for the consumer
// scenarios: `events` records in `send` calls of `batchSize`, `concurrency` calls at a time, with
// the producer app's settings (idempotent, acks=-1, one request in flight, Java-compatible murmur2).
import { createRequire } from 'node:module';
import { workerMain } from '../lib/child.mjs';
import { benchEvent, benchRecord, paddedEvent } from '../lib/event-records.mjs';

const require = createRequire(import.meta.url);
const { Kafka, Partitioners, logLevel } = require('kafkajs');

workerMain(async ({ brokers, topic, events, idCount, batchSize = 500, concurrency = 8, tag = 'b', padBytes = 0, latencyRounds = 0 }) => {
  const kafka = new Kafka({ clientId: 'bench-send', brokers, logLevel: logLevel.ERROR });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  // The records are built before the clock starts, as an HTTP client's bodies are.
  const ts = Date.now();
  const chunks = [];
  for (let start = 0; start < events; start += batchSize) {
    const chunk = [];
    for (let i = start; i < Math.min(events, start + batchSize); i++) chunk.push(benchRecord(padBytes > 0 ? paddedEvent(i, idCount, tag, padBytes) : benchEvent(i, idCount, tag), ts));
    chunks.push(chunk);
  }
  if (latencyRounds > 0) {
    // Produce latency: one send of `batchSize` records at a time, as the coalescing publisher sends
    // them (one request in flight); what a single-event request waits for at the least.
    const ms = [];
    for (let i = 0; i < latencyRounds; i++) {
      const t0 = process.hrtime.bigint();
      await producer.send({ topic, acks: -1, messages: chunks[i % chunks.length] });
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ms.sort((a, b) => a - b);
    await producer.disconnect();
    return { p50Ms: ms[Math.floor(ms.length * 0.5)], p99Ms: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] };
  }
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < chunks.length) await producer.send({ topic, acks: -1, messages: chunks[next++] });
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await producer.disconnect();
  return { events, seconds, rate: events / seconds };
});
