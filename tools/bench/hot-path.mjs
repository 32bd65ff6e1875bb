#!/usr/bin/env node
// CPU per event of the two per-event paths, in one process, no I/O, on the built dist/:
//   consumer: decodeEventRecord (strict UTF-8, JSON.parse, re-validation, key check) + misplacedRecord
//             over the record's key bytes, as PartitionLane.foldOne runs them;
//   producer: validateBatch of a 500-event body + stamp + encodeEventRecord + partitionForKey of the
//             key, as PublishService.publish runs them.
// Prints the median microseconds per event of each over ROUNDS rounds. To compare two builds, run it
// on each (DIST=/path/to/other/dist), alternating.
//   npm run build && node tools/bench/hot-path.mjs
// Env: DIST (default dist/), RECORDS (200000), ROUNDS (7).
import { dist, median, requireBuilt, ROUNDS } from './built-dist.mjs';

const { decodeEventRecord, encodeEventRecord } = requireBuilt('libs/data-access/src/kafka/event-record.v1.js');
const { DEFAULT_EVENT_LIMITS, misplacedRecord, partitionForKey, validateBatch } = requireBuilt('libs/domain/src/index.js');

const RECORDS = Number(process.env.RECORDS ?? 200_000);
const BODIES = 40;
const BATCH = 500;

// The consumer bench's records: 10,000 IDs, incr, with an eventId and the producer's stamp.
const records = Array.from({ length: RECORDS }, (_, i) => {
  const id = `b-${i % 10_000}`;
  const value = { v: 1, id, op: 'incr', data: { n: 1 }, eventId: `e-${i}-0123456789ab`, ts: 1_764_561_000_000 + i, src: 'producer-0~cafe0001', seq: i };
  return { key: Buffer.from(id), value: Buffer.from(JSON.stringify(value)) };
});
// HTTP batch bodies: half incr, half set of a small object.
const bodies = Array.from({ length: BODIES }, (_, b) =>
  JSON.stringify({
    events: Array.from({ length: BATCH }, (_, i) => ({
      id: `b-${(b * BATCH + i) % 10_000}`,
      op: i % 2 ? 'incr' : 'set',
      data: i % 2 ? { n: 1 } : { n: i, name: 'abc', tags: ['x', 'y'] },
      eventId: `e-${b}-${i}-0123456789ab`,
    })),
  }),
);

function consume() {
  let refused = 0;
  for (const { key, value } of records) {
    const decoded = decodeEventRecord(key, value, DEFAULT_EVENT_LIMITS);
    if (!decoded.ok || misplacedRecord(decoded.event.id, 0, 1, key)) refused++;
  }
  if (refused > 0) throw new Error(`${refused} records refused: the fixture is wrong`);
}

function produce() {
  let checksum = 0;
  let seq = 0;
  for (const text of bodies) {
    const ts = Date.now();
    for (const event of validateBatch(JSON.parse(text), DEFAULT_EVENT_LIMITS)) {
      const { key, value } = encodeEventRecord({ ...event, ts, src: 'producer-0~cafe0001', seq: seq++ });
      checksum += partitionForKey(key, 4) + value.length;
    }
  }
  return checksum;
}

function microsPerEvent(fn, events) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1000 / events;
}

for (let i = 0; i < 3; i++) consume(), produce(); // warm-up: JIT
const consumer = [];
const producer = [];
for (let i = 0; i < ROUNDS; i++) {
  consumer.push(microsPerEvent(consume, RECORDS));
  producer.push(microsPerEvent(produce, BODIES * BATCH));
}
console.log(`dist: ${dist}`);
console.log(`consumer: decode + validate + placement   ${median(consumer).toFixed(3)} us per record (median of ${ROUNDS}, ${RECORDS} records)`);
console.log(`producer: validate + stamp + encode + partition   ${median(producer).toFixed(3)} us per event (median of ${ROUNDS}, ${BODIES} bodies of ${BATCH})`);
