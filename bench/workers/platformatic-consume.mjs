// Baseline "bare @platformatic/kafka consume no-op": reads `expected` records of a pre-filled topic
// with a new group from the earliest offsets and does nothing with them (values stay Buffers). The
// clock starts before consume() (the group join is inside), as for the kafkajs baseline.
import { workerMain } from '../lib/child.mjs';

workerMain(async ({ brokers, topic, groupId, expected }) => {
  const { Consumer } = await import('@platformatic/kafka');
  const consumer = new Consumer({ clientId: 'bench-consume', bootstrapBrokers: brokers, groupId, maxWaitTime: 100 });
  const started = process.hrtime.bigint();
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  let seen = 0;
  const end = await new Promise((resolve, reject) => {
    stream.on('data', () => {
      seen += 1;
      if (seen === expected) resolve(process.hrtime.bigint());
    });
    stream.on('error', reject);
  });
  const seconds = Number(end - started) / 1e9;
  await stream.close();
  await consumer.close(true);
  return { events: seen, seconds, rate: seen / seconds };
});
