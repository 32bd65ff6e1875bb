// Baseline "bare kafkajs eachBatch no-op": reads `expected` records of a pre-filled topic with a new
// group and does nothing with them. The clock starts before run() (the group join is inside), as the
// consumer scenario's starts when the app answers ready.
import { createRequire } from 'node:module';
import { workerMain } from '../lib/child.mjs';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');

workerMain(async ({ brokers, topic, groupId, expected, partitions }) => {
  const kafka = new Kafka({ clientId: 'bench-consume', brokers, logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const started = process.hrtime.bigint();
  const done = new Promise((resolve) => {
    consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= expected) resolve(process.hrtime.bigint());
      },
    });
  });
  const end = await done;
  const seconds = Number(end - started) / 1e9;
  await consumer.disconnect();
  return { events: seen, seconds, rate: seen / seconds };
});
