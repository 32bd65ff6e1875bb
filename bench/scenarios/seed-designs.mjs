// The seed's two other designs (bench/seed-designs/): SYNC (each request upserts its events into
// EVENTS before answering) and ASYNC1 (each request inserts into STAGING_EVENTS; a job folds them
// into EVENTS every second, with OPLOG, in one transaction). Same load generator and bodies as the
// producer's rows, same PostgreSQL server, a database of their own: HTTP batch ingest (500/request,
// 8 conns) and single-event ingest (64 conns) with their p99; then, like end-to-end, a probe at full
// speed (batches of 100 until all are visible in EVENTS) and a steady load at 80% of it, whose
// visibility lag (receive -> commit in EVENTS, every event) gives p50/p99.
import { join } from 'node:path';
import { runWorker } from '../lib/child.mjs';
import { createDatabase, freePort, ROOT, sleep, startProcess } from '../lib/services.mjs';

const DESIGNS = { sync: 'SYNC', async1: 'ASYNC1' };

const stats = (proc, reset = false) => fetch(`${proc.url}/stats${reset ? '?reset=1' : ''}`).then((r) => r.json());

/** Waits until the design has applied `expected` events to EVENTS (ASYNC1's job catching up). */
async function waitApplied(proc, expected, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { applied } = await stats(proc);
    if (applied >= expected) return;
    if (Date.now() > deadline) throw new Error(`${proc.label} applied ${applied} of ${expected} events within ${timeoutMs} ms`);
    await sleep(25);
  }
}

export async function seedDesigns(ctx) {
  const { results: r } = ctx;
  for (const [design, name] of Object.entries(DESIGNS)) {
    r.define(`seed-batch:${design}`, { label: `${name} HTTP batch ingest (500/request, 8 conns)`, unit: 'events/s' })
      .define(`seed-batch-p99:${design}`, { label: `${name} HTTP batch ingest p99`, unit: 'ms' })
      .define(`seed-single:${design}`, { label: `${name} single-event HTTP (64 conns)`, unit: 'req/s' })
      .define(`seed-single-p99:${design}`, { label: `${name} single-event HTTP p99`, unit: 'ms' })
      .define(`seed-capacity:${design}`, { label: `${name} end to end capacity (probe at full speed)`, unit: 'events/s' })
      .define(`seed-lag-p50:${design}`, { label: `${name} visibility lag p50 at ~80% load`, unit: 'ms' })
      .define(`seed-lag-p99:${design}`, { label: `${name} visibility lag p99 at ~80% load`, unit: 'ms' });
  }
  for (let rep = 1; rep <= ctx.reps; rep++) {
    for (const design of rep % 2 === 1 ? Object.keys(DESIGNS) : Object.keys(DESIGNS).reverse()) await designRound(ctx, { design, rep });
  }
}

async function designRound(ctx, { design, rep }) {
  const { results: r, sizes } = ctx;
  const db = await createDatabase(ctx.adminUrl);
  const app = await startProcess(DESIGNS[design], join(ROOT, 'bench', 'seed-designs', 'seed-app.mjs'), { port: await freePort(), readyPath: '/health', env: { DESIGN: design, DATABASE_URL: db.url } });
  try {
    let sent = 0;
    const load = async (job) => {
      const out = await runWorker('http-load', { url: app.url, ...job });
      sent += out.requests * (job.mode === 'batch' ? job.batchSize : 1);
      await waitApplied(app, sent);
      return out;
    };
    await load({ path: '/v1/events:batch', mode: 'batch', batchSize: 500, connections: 8, seconds: 1, tag: `w${rep}` }); // warm-up
    const batch = await load({ path: '/v1/events:batch', mode: 'batch', batchSize: 500, connections: 8, seconds: sizes.httpSeconds });
    r.add(`seed-batch:${design}`, batch.eventRate);
    r.add(`seed-batch-p99:${design}`, batch.p99Ms);
    const single = await load({ path: '/v1/events', mode: 'single', connections: 64, seconds: sizes.httpSeconds });
    r.add(`seed-single:${design}`, single.requestRate);
    r.add(`seed-single-p99:${design}`, single.p99Ms);
    const probeStart = process.hrtime.bigint();
    const probe = await load({ path: '/v1/events:batch', mode: 'batch', batchSize: 100, connections: 32, seconds: sizes.e2eProbeSeconds, tag: `p${rep}` });
    const capacity = (probe.requests * 100) / (Number(process.hrtime.bigint() - probeStart) / 1e9);
    r.add(`seed-capacity:${design}`, capacity);
    const rate = Math.max(1000, Math.round((capacity * 0.8) / 100) * 100);
    await stats(app, true);
    const steady = await load({ path: '/v1/events:batch', mode: 'batch', batchSize: 100, connections: 64, seconds: sizes.seedSeconds, overallRate: rate / 100, tag: `e${rep}` });
    const { lag } = await stats(app, true);
    r.add(`seed-lag-p50:${design}`, lag.p50);
    r.add(`seed-lag-p99:${design}`, lag.p99);
    const errors = [batch, single, probe, steady].reduce((n, x) => n + x.non2xx + x.errors, 0);
    ctx.log(`rep ${rep} ${DESIGNS[design]}: batch ${Math.round(batch.eventRate)}/s p99 ${batch.p99Ms} ms, single ${Math.round(single.requestRate)} req/s p99 ${single.p99Ms} ms, capacity ${Math.round(capacity)}/s, at ${rate}/s offered (${Math.round(steady.eventRate)} carried) lag p50 ${lag.p50} ms p99 ${lag.p99} ms (${lag.count} events)${errors ? `, ${errors} non-2xx/errors` : ''}`);
  } finally {
    await app.stop();
    await db.drop();
  }
}
