#!/usr/bin/env node
// The producer's coalescing publisher on its own, no Kafka: CPU cost per published record with a
// send that answers at once (the work the publisher itself adds to the hot path: promises, timers,
// queueing; no linger, so the figures are not the linger timer's). Two shapes, as the HTTP edge calls it: single-event publishes from 64 concurrent
// callers, and batches of 500. Prints the median of ROUNDS (records/s of the event loop, and
// µs of CPU per record). Uses the built producer (`npm run build` first); DIST points elsewhere to
// compare a build of another commit.
//   node tools/bench/coalescer.mjs
// Env: RECORDS (per round, default 200000), ROUNDS (7), DIST (default dist/).
import { dist, median, requireBuilt, ROUNDS } from './built-dist.mjs';

const { CoalescingPublisher } = requireBuilt('apps/producer/src/ingest/coalescing-publisher.js');

const RECORDS = Number(process.env.RECORDS ?? 200_000);
const options = { lingerMs: 0, maxBatchEvents: 5000, maxBatchBytes: 900_000, maxPendingEvents: 1_000_000, timeoutMs: 30_000 };
let offset = 0;
// Answers on the next turn of the event loop, as a socket read would.
const send = (messages) => new Promise((answer) => setImmediate(() => answer(messages.map(() => offset++))));
const record = (i) => ({ key: Buffer.from(`id-${i % 10_000}`), value: Buffer.from('{"v":1,"id":"x","op":"set","data":{"n":1}}'), partition: i % 4 });

async function round(perCall, callers) {
  const publisher = new CoalescingPublisher(send, options);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const caller = async () => {
    while (next < RECORDS) {
      const records = Array.from({ length: perCall }, () => record(next++));
      await publisher.publish(records);
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  return { rate: RECORDS / seconds, cpuUsPerRecord: (user + system) / RECORDS };
}

console.log(`coalescing publisher from ${dist}: ${RECORDS} records per round, ${ROUNDS} rounds (median)`);
for (const [label, perCall, callers] of [['single events, 64 callers', 1, 64], ['batches of 500, 8 callers', 500, 8]]) {
  const rates = [];
  const cpus = [];
  await round(perCall, callers); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    const r = await round(perCall, callers);
    rates.push(r.rate);
    cpus.push(r.cpuUsPerRecord);
  }
  console.log(`${label.padEnd(28)} ${median(rates).toFixed(0).padStart(9)} records/s  ${median(cpus).toFixed(2)} µs CPU per record`);
}
