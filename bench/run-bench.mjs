#!/usr/bin/env node
// `npm run bench`: builds dist/, starts a throwaway KRaft broker and fresh databases, runs every
// scenario right after its baseline (R repetitions), prints the table (median, min, max, ratio to
// the baseline, the design target and whether it is met) and writes bench/results/<date>.json and
// .svg. Not part of `npm test`: figures are never asserted.
//   npm run bench [-- --quick] [-- --reps 5] [-- --only producer,consumer] [-- --cpu-prof producer|consumer]
//                 [-- --consumer-env FLUSH_MAX_EVENTS=50000,...] [-- --producer-env NAME=value,...] [-- --skip-build] [-- --clients kafkajs,platformatic]
//                 [-- --e2e-rate 25000] (offer that many events/s end to end instead of 80% of the probe)
// Env: BENCH_KAFKA_PORT (default 39092; +1 for its controller), KAFKA_BROKERS (use a running broker
//      instead), DATABASE_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from '../tools/build/build.mjs';
import { ensureLocalKafka } from '../tools/local-kafka/kafka.mjs';
import { writeReport } from './lib/report.mjs';
import { Results } from './lib/results.mjs';
import { ROOT } from './lib/services.mjs';
import { consumerFold } from './scenarios/consumer-fold.mjs';
import { endToEnd } from './scenarios/end-to-end.mjs';
import { overload } from './scenarios/overload.mjs';
import { producerIngest } from './scenarios/producer-ingest.mjs';
import { scaling } from './scenarios/scaling.mjs';
import { seedDesigns } from './scenarios/seed-designs.mjs';

const SCENARIOS = { producer: producerIngest, consumer: consumerFold, e2e: endToEnd, seeds: seedDesigns, scaling, overload };
/** Every app the bench starts gets KAFKA_CLIENT; the rows of scenarios run once use this one (the apps' default). */
const DEFAULT_CLIENT = 'kafkajs';

const SIZES = {
  full: { latencyRounds: 300, sendEvents: 100_000, javaRecords: 500_000, seedSeconds: 15, httpSeconds: 10, grpcEvents: 30_000, consumerEvents: 1_000_000, e2eProbeSeconds: 8, e2eSeconds: 30, scalingEvents: 1_000_000, overloadEvents: 3_000_000, overloadSeconds: 8 },
  quick: { latencyRounds: 100, sendEvents: 50_000, javaRecords: 300_000, seedSeconds: 5, httpSeconds: 3, grpcEvents: 5_000, consumerEvents: 100_000, e2eProbeSeconds: 3, e2eSeconds: 8, scalingEvents: 40_000, overloadEvents: 250_000, overloadSeconds: 4 },
};

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, reps: { type: 'string' }, only: { type: 'string' }, 'cpu-prof': { type: 'string' }, 'skip-build': { type: 'boolean', default: false }, 'consumer-env': { type: 'string' }, 'producer-env': { type: 'string' }, 'e2e-rate': { type: 'string' }, clients: { type: 'string', default: 'kafkajs,platformatic' } },
});

async function main() {
  const started = Date.now();
  const log = (msg) => console.log(`[bench] ${msg}`);
  const reps = Number(args.reps ?? (args.quick ? 1 : 3));
  const only = args.only ? args.only.split(',') : Object.keys(SCENARIOS);
  const unknown = only.filter((name) => !SCENARIOS[name]);
  if (unknown.length) throw new Error(`--only: unknown scenario ${unknown.join(', ')} (known: ${Object.keys(SCENARIOS).join(', ')})`);
  const clients = args.clients.split(',');
  const knownClients = ['kafkajs', 'platformatic'];
  if (clients.some((c) => !knownClients.includes(c))) throw new Error(`--clients: unknown client in ${args.clients} (known: ${knownClients.join(', ')})`);
  const profileDir = join(ROOT, 'bench', 'profiles');
  const profiled = new Set((args['cpu-prof'] ?? '').split(',').filter(Boolean));
  if (!args['skip-build']) build({ log });

  let kafka;
  let brokers = process.env.KAFKA_BROKERS?.split(',');
  if (!brokers) {
    kafka = await ensureLocalKafka({ ephemeral: true, port: Number(process.env.BENCH_KAFKA_PORT ?? 39092), log });
    brokers = kafka.brokers.split(',');
  }
  const results = new Results();
  const ctx = {
    brokers,
    adminUrl: process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    reps,
    quick: args.quick,
    sizes: SIZES[args.quick ? 'quick' : 'full'],
    results,
    log,
    // The Kafka clients measured side by side (KAFKA_CLIENT of the apps, the port's sender).
    clients,
    defaultClient: clients.includes(DEFAULT_CLIENT) ? DEFAULT_CLIENT : clients[0],
    // Extra consumer settings for experiments (e.g. FLUSH_MAX_EVENTS=50000), passed to every consumer.
    consumerEnv: settings(args['consumer-env']),
    e2eRate: args['e2e-rate'] === undefined ? undefined : Number(args['e2e-rate']),
    producerEnv: settings(args['producer-env']),
    profileArgs: (app) => (profiled.has(app) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
  };
  try {
    for (const name of only) {
      const t0 = Date.now();
      log(`${name}: ${reps} repetition(s)`);
      await SCENARIOS[name]({ ...ctx, log: (msg) => log(`${name}: ${msg}`) });
      log(`${name}: done in ${Math.round((Date.now() - t0) / 1000)} s`);
    }
  } finally {
    await kafka?.stop();
  }

  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..+/, '');
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, loadavgAtEnd: loadavg(), node: process.version };
  const title = `npm run bench${args.quick ? ' -- --quick' : ''}: ${reps} repetition(s), ${new Date().toISOString().slice(0, 16)}Z, ${machine.cpus} cores`;
  writeReport(join(ROOT, 'bench', 'results', stamp), { title, mode: args.quick ? 'quick' : 'full', reps, clients, sizes: ctx.sizes, machine, seconds: Math.round((Date.now() - started) / 1000) }, results);
  log(`wrote bench/results/${stamp}.json and .svg; ${Math.round((Date.now() - started) / 1000)} s in all`);
}

main().catch((error) => {
  console.error(`[bench] ${error.stack ?? error}`);
  process.exit(1);
});

/** `A=1,B=x=y` as { A: '1', B: 'x=y' }: split at the first '=' only (NODE_OPTIONS=--flag=value). */
function settings(list) {
  return Object.fromEntries((list ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}
