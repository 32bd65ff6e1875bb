// The Helm chart's topic Job and compose's setup service: creates the events topic (with
// KAFKA_TOPIC_PARTITIONS partitions) and its DLQ when absent, checks an existing topic's count
// against the configuration, and with --raise-partitions adds partitions (drain first: docs/deploy.md, "Raising the partition count").
// Reads the same variables as the apps; exit 1 names the problem.
import { hostname } from 'node:os';
import { EnvReader } from '../config/env-reader';
import { readSharedSettings } from '../config/shared-settings';
import { awaitPartitionCount } from './port/admin-answers';
import { openKafkaPort } from './port/open-kafka-port';
import { ensureTopics } from './topic-admin';
import { planTopicPartitions } from './topic-partition-plan';

async function main(argv: string[]): Promise<void> {
  const unknown = argv.filter((a) => a !== '--raise-partitions');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]}; usage: create-topics.cli.js [--raise-partitions]`);
  const env = new EnvReader({ INSTANCE_ID: `async2-topics-${hostname()}`, KAFKA_CLIENT_ID: 'async2-topics', ...process.env });
  const { kafka: kafkaSettings, topics } = readSharedSettings(env, 'producer');
  env.done();
  const admin = (await openKafkaPort(kafkaSettings)).admin();
  try {
    const exists = await admin.hasTopic(topics.topic);
    const plan = planTopicPartitions(exists ? await awaitPartitionCount(admin, topics.topic) : undefined, topics.partitions, argv.includes('--raise-partitions'));
    if (plan.action === 'refuse') throw new Error(`${topics.topic}: ${plan.reason}`);
    if (plan.action === 'raise') await admin.raisePartitions(topics.topic, plan.to);
    await ensureTopics(admin, topics); // creates the topic (create) and the DLQ when absent
    const count = await awaitPartitionCount(admin, topics.topic);
    console.log(`[topics] ${topics.topic}: ${plan.action === 'raise' ? `raised from ${plan.from} to` : plan.action === 'create' ? 'created with' : 'has'} ${count} partitions; DLQ ${topics.deadLetterTopic} present`);
  } finally {
    await admin.close();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`[topics] ${error.message}`);
  process.exit(1);
});
