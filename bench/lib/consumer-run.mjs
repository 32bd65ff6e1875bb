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
    // All at once, as the chart's StatefulSet starts them (podManagementPolicy: Parallel). The clock
    // starts when the last one is ready, and what the others committed before that is not counted.
    // (Started at once, two instances of one group once left one of them without its partition for
    // minutes; not seen since, in 6 runs of 2 and 4 processes on both clients, 2026-12-02.)
    const started = await Promise.allSettled(
      partitionsPerInstance.map(async (partitions, i) =>
        startProcess(`consumer-${i}`, appScript('consumer'), {
          port: await freePort(),
          nodeArgs: ctx.profileArgs('consumer'),
          env: { KAFKA_CLIENT: ctx.defaultClient, KAFKA_BROKERS: ctx.brokers.join(','), KAFKA_TOPIC: topic, DATABASE_URL: db.url, CONSUMER_GROUP: group, PARTITIONS: partitions, ...ctx.consumerEnv, ...env },
        }),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') procs.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
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
