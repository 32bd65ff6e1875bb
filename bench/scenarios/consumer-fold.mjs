// Consumer, once per Kafka client: the bare consume no-op of that client (baseline: kafkajs
// eachBatch, @platformatic/kafka's stream) -> fold + flush (KAFKA_CLIENT) from the same pre-filled
// topic. Until the consumer's fetch moves to the Kafka port, KAFKA_CLIENT picks only its senders (DLQ,
// change records) and both fold rows fetch with kafkajs; the platformatic row's ratio is to its own
// client's consume so that it is the right one from then on. Then the server-side upsert and COPY
// (baselines) -> the consumer's flush rows/s, and hot-key counters (these two on the default client).
import { runWorker } from '../lib/child.mjs';
import { runConsumers } from '../lib/consumer-run.mjs';
import { createTopic, uniqueName } from '../lib/services.mjs';
import { sqlBaselines } from '../lib/sql-baselines.mjs';

/** The bare consume worker of each client. */
const BARE_CONSUME = { kafkajs: 'kafka-consume', platformatic: 'platformatic-consume' };

export async function consumerFold(ctx) {
  const { results: r, sizes } = ctx;
  for (const client of ctx.clients) {
    r.define(`bare-consume:${client}`, { label: `bare consume no-op [${client}] (4 partitions)`, unit: 'events/s' })
      .define(`fold:${client}`, { label: `consumer fold + flush [${client}] (10,000 IDs)`, unit: 'events/s', baseline: `bare-consume:${client}`, target: { ratio: 0.7 } })
      .define(`fold-rows:${client}`, { label: `consumer rows written (wall) [${client}]`, unit: 'rows/s' })
      .define(`fold-flushes:${client}`, { label: `consumer flushes [${client}]`, unit: 'flushes/s' });
  }
  const d = `[${ctx.defaultClient}]`;
  r.define('sql-upsert', { label: 'server-side INSERT..SELECT ON CONFLICT', unit: 'rows/s' })
    .define('sql-copy', { label: 'server-side COPY (insert only)', unit: 'rows/s', baseline: 'sql-upsert' })
    .define('flush-write', { label: `flush write, 1 partition (rows / time in flush) ${d}`, unit: 'rows/s', baseline: 'sql-upsert', target: { ratio: 0.5 } })
    .define('flush-ms', { label: `flush duration, 1 partition (mean) ${d}`, unit: 'ms' })
    .define('writer-commit', { label: 'flush transaction alone (FlushWriter)', unit: 'rows/s', baseline: 'sql-upsert' })
    .define('writer-commit-ms', { label: 'flush transaction alone, per flush', unit: 'ms' })
    .define('writer-find-ms', { label: 'loading stored rows, per flush', unit: 'ms' })
    .define('hot-key', { label: `hot-key counters (1,000 IDs) ${d}`, unit: 'events/s', baseline: `bare-consume:${ctx.defaultClient}` })
    .define('hot-key-rows', { label: `hot-key rows written per event ${d}`, unit: 'rows/event' });

  const topic = uniqueName('bench-fold');
  const hotTopic = uniqueName('bench-hot');
  const oneTopic = uniqueName('bench-fold1');
  await createTopic(ctx.brokers, topic, 4);
  await createTopic(ctx.brokers, oneTopic, 1);
  await createTopic(ctx.brokers, hotTopic, 4);
  const n = sizes.consumerEvents;
  await runWorker('kafka-send', { brokers: ctx.brokers, topic, events: n, idCount: 10_000, tag: 'c' });
  await runWorker('kafka-send', { brokers: ctx.brokers, topic: oneTopic, events: n / 2, idCount: 10_000, tag: 'c' });
  await runWorker('kafka-send', { brokers: ctx.brokers, topic: hotTopic, events: n, idCount: 1_000, tag: 'k' });

  for (let rep = 1; rep <= ctx.reps; rep++) {
    const order = rep % 2 === 1 ? ctx.clients : [...ctx.clients].reverse();
    const folds = [];
    for (const client of order) {
      const bare = await runWorker(BARE_CONSUME[client], { brokers: ctx.brokers, topic, groupId: uniqueName('bench-bare'), expected: n, partitions: 4 });
      r.add(`bare-consume:${client}`, bare.rate);
      const fold = await runConsumers(ctx, { topic, expected: n, env: { KAFKA_CLIENT: client } });
      r.add(`fold:${client}`, fold.rate);
      r.add(`fold-rows:${client}`, fold.rows / fold.seconds);
      r.add(`fold-flushes:${client}`, fold.flushes / fold.seconds);
      folds.push(`${client} bare ${Math.round(bare.rate)}/s, fold ${Math.round(fold.rate)}/s (${fold.flushes} flushes, ${fold.rows} rows)`);
    }
    // The flush against its SQL baseline on one partition: one lane, so flushes never overlap and
    // "rows / time in flush" is the write rate of one flush transaction.
    const one = await runConsumers(ctx, { topic: oneTopic, expected: n / 2, partitionsPerInstance: ['0'], keep: true });
    try {
      for (const p of one.procs) await p.stop();
      r.add('flush-write', one.rows / one.flushSeconds);
      r.add('flush-ms', (1000 * one.flushSeconds) / one.flushes);
      const perFlush = Math.max(1000, Math.round(one.rows / Math.max(1, one.flushes)));
      const sql = await sqlBaselines(one.db.url, { rows: perFlush });
      r.add('sql-upsert', sql.upsert);
      r.add('sql-copy', sql.copy);
      const alone = await runWorker('flush-writer', { dbUrl: one.db.url, rows: perFlush });
      r.add('writer-commit', alone.commitRate);
      r.add('writer-commit-ms', alone.commitMs);
      r.add('writer-find-ms', alone.findMs);
      ctx.log(`rep ${rep}: ${folds.join('; ')}; 1 partition: ${one.flushes} flushes of ${perFlush} rows, ${Math.round((1000 * one.flushSeconds) / one.flushes)} ms each; upsert ${Math.round(sql.upsert)} rows/s, copy ${Math.round(sql.copy)} rows/s; FlushWriter alone ${Math.round(alone.commitMs)} ms + find ${Math.round(alone.findMs)} ms`);
    } finally {
      await one.db.drop();
    }
    const hot = await runConsumers(ctx, { topic: hotTopic, expected: n });
    r.add('hot-key', hot.rate);
    r.add('hot-key-rows', hot.rows / hot.folded);
    ctx.log(`rep ${rep}: hot keys ${Math.round(hot.rate)}/s, ${(hot.rows / hot.folded).toFixed(4)} rows per event`);
  }
}
