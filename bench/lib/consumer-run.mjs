// One consumer measurement: fresh database and group, `instances` consumer processes (each owning
// the partitions given; KAFKA_CLIENT = ctx.defaultClient unless `env` names another), until OPLOG has committed `expected` events. Returns the rate and the
// consumer's own flush figures from /metrics.
import { appScript, createDatabase, freePort, rssMiB, scrape, startProcess, uniqueName, waitForCommitted } from './services.mjs';
import { sumMetric } from './stats.mjs';

export async function runConsumers(ctx, { topic, expected, partitionsPerInstance = ['all'], env = {}, onSample, stopAfterMs, keep = false }) {
  const db = await createDatabase(ctx.adminUrl);
  const group = uniqueName('bench-group');
  const procs = [];
  let ok = false;
  try {
    // One after the other: started together, two instances of one group can leave one of them
    // without its partition for minutes (seen here; reported). The clock starts when the last one is
    // ready, and what the first ones committed before that is not counted.
    for (const [i, partitions] of partitionsPerInstance.entries()) {
      procs.push(
        await startProcess(`consumer-${i}`, appScript('consumer'), {
          port: await freePort(),
          nodeArgs: ctx.profileArgs('consumer'),
          env: { KAFKA_CLIENT: ctx.defaultClient, KAFKA_BROKERS: ctx.brokers.join(','), KAFKA_TOPIC: topic, DATABASE_URL: db.url, CONSUMER_GROUP: group, PARTITIONS: partitions, ...ctx.consumerEnv, ...env },
        }),
      );
    }
    const since = process.hrtime.bigint();
    const progress = await waitForCommitted(db.url, group, expected, { since, stopAfterMs, onSample: onSample && ((n) => onSample(n, procs)) });
    const texts = await Promise.all(procs.map(scrape));
    const total = (name) => texts.reduce((s, t) => s + sumMetric(t, name), 0);
    const figures = {
      ...progress,
      rows: total('async2_flush_rows_total'),
      folded: total('async2_flush_events_total'),
      flushes: total('async2_flush_duration_seconds_count'),
      flushSeconds: total('async2_flush_duration_seconds_sum'),
      rssMiB: procs.map((p) => rssMiB(p.pid)),
      db,
      procs,
    };
    ok = true;
    return figures;
  } finally {
    if (!keep || !ok) {
      for (const p of procs) await p.stop();
      await db.drop();
    }
  }
}
