import { type AppProcess, OwnBroker, startTcpProxy, waitFor } from '@async2/testing';
import { DEFAULT_KAFKA_CLIENT } from '@async2/data-access';
import { Client } from 'pg';
import { seededRandom } from '../http-workload';
import { FaultPipeline, type FaultPipelineOptions, sleep } from '../faults/fault-pipeline';
import { OwnCluster } from '../faults/own-cluster';

// `npm run test:soak`: every fault scenario, mixed at random for SOAK_MINUTES (default 10) under
// continuous load with client retries, once on a broker of its own and once on a 3-broker cluster
// of its own (RF 3, min.insync.replicas=2, leaders killed, stopped and moved); then the checker
// over each run, and both tables. The seed is printed first: SOAK_SEED=<seed> replays the same choices.
const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
/** The client every app of the soak uses (they inherit KAFKA_CLIENT from this process). */
const CLIENT = process.env.KAFKA_CLIENT || DEFAULT_KAFKA_CLIENT;

type Faults = Record<string, () => Promise<void>>;

describe('soak', () => {
  const tables: string[] = [];
  beforeAll(() => console.log(`soak seed: ${SEED} (replay with SOAK_SEED=${SEED}), ${MINUTES} minutes on each, Kafka client ${CLIENT} (KAFKA_CLIENT)`));
  afterAll(() => console.log(tables.join('\n\n')));

  it(`single broker, mixed faults for ${MINUTES} minutes: lost=0 duplicated=0 reordered=0`, async () => {
    const broker = await OwnBroker.start();
    try {
      await soak('single broker', { partitions: 4, brokers: broker.brokers }, 4, () => ({
        'broker SIGKILL + restart': async () => {
          await broker.killHard();
          await sleep(3000);
          await broker.launch();
        },
        'broker SIGSTOP 8 s': async () => {
          broker.signal('SIGSTOP');
          await sleep(8000);
          broker.signal('SIGCONT');
        },
      }));
    } finally {
      await broker.stop();
    }
  }, MINUTES * 60_000 + 600_000);

  it(`3-broker cluster, mixed faults for ${MINUTES} minutes: lost=0 duplicated=0 reordered=0`, async () => {
    const cluster = await OwnCluster.start();
    const partitions = [0, 1, 2, 3, 4, 5];
    try {
      // 16 clients, as in e2e/faults/cluster-faults: coalesced produce requests span several leaders.
      await soak('3-broker cluster', { partitions: partitions.length, brokers: cluster.brokers, replicationFactor: 3, bootAttempts: 3 }, 16, (pipeline, random) => {
        const leader = () => cluster.leaderOf(pipeline.topic, partitions[Math.floor(random() * partitions.length)]);
        return {
          'leader SIGKILL + restart': async () => {
            const victim = await leader();
            await cluster.kill(victim);
            await sleep(3000);
            await cluster.restart(victim);
            await cluster.waitInSync(pipeline.topic); // as an operator does before the next node
          },
          'leader SIGSTOP 12 s': async () => {
            const victim = await leader();
            cluster.pause(victim);
            await sleep(12_000); // past the broker session timeout (9 s): fenced, its leaders move
            cluster.resume(victim);
            await cluster.waitInSync(pipeline.topic);
          },
          'leader moves 10 s': async () => {
            await cluster.moveLeadersFor(pipeline.topic, partitions, 10_000);
          },
        };
      });
    } finally {
      await cluster.close();
    }
  }, MINUTES * 60_000 + 600_000);

  /** The soak on one set of brokers: consumer and database faults plus `brokerFaults`, at random, then the checker and the table. */
  async function soak(label: string, options: Omit<FaultPipelineOptions, 'seed'>, concurrency: number, brokerFaults: (pipeline: FaultPipeline, random: () => number) => Faults): Promise<void> {
    const random = seededRandom(SEED);
    const pipeline = await FaultPipeline.start({ seed: SEED, ...options, producerEnv: { PRODUCE_TIMEOUT_MS: '3000' }, trackedIds: 800, counterIds: 120 });
    const target = new URL(pipeline.database.url);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const proxiedUrl = () => {
      const url = new URL(pipeline.database.url);
      url.port = String(proxy.port);
      return url.toString();
    };
    let instance = 0;
    const consumerEnv = () => ({ DATABASE_URL: proxiedUrl(), INSTANCE_ID: `soak-consumer-${++instance}`, BUFFER_MAX_BYTES: '262144' });
    let owner: AppProcess = await pipeline.startConsumer(consumerEnv());
    const replaceOwner = async () => {
      owner = await pipeline.startConsumer(consumerEnv());
    };
    const terminateBackends = async () => {
      const admin = new Client({ connectionString: pipeline.database.url });
      await admin.connect();
      try {
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'soak-consumer-%'`, [pipeline.database.name]);
      } finally {
        await admin.end();
      }
    };

    const faults: Faults = {
      'consumer SIGKILL': async () => {
        owner.child.kill('SIGKILL');
        await owner.exited;
        await replaceOwner();
      },
      'consumer fail point': async () => {
        owner.child.kill('SIGKILL');
        await owner.exited;
        const point = ['before-flush', 'after-upsert', 'after-commit', 'during-claim'][Math.floor(random() * 4)];
        const doomed = await pipeline.spawnConsumer({ ...consumerEnv(), FAIL_POINT: `${point}@${1 + Math.floor(random() * 3)}` });
        await doomed.exitedWithin(30_000);
        await doomed.stop('SIGKILL');
        await replaceOwner();
      },
      'zombie (SIGSTOP, new owner, SIGCONT)': async () => {
        const zombie = owner;
        zombie.child.kill('SIGSTOP');
        await replaceOwner();
        await sleep(1000);
        zombie.child.kill('SIGCONT');
        await waitFor(async () => (await pipeline.progress(zombie)).every((p) => p.fenced), { timeoutMs: 30_000, what: 'the zombie to be fenced' });
        await zombie.stop('SIGKILL');
      },
      'consumer SIGTERM + restart': async () => {
        await owner.stop('SIGTERM');
        await replaceOwner();
      },
      'pg_terminate_backend': async () => {
        for (let i = 0; i < 3; i++) {
          await terminateBackends();
          await sleep(300);
        }
      },
      'database connections reset': async () => {
        proxy.resetConnections();
      },
      'database down 5 s': async () => {
        await proxy.cut();
        await sleep(5000);
        await proxy.restore();
      },
      ...brokerFaults(pipeline, random),
    };
    const names = Object.keys(faults);
    const tally = new Map(names.map((n) => [n, { count: 0, ms: 0 }]));
    const load = pipeline.load({ concurrency, requestTimeoutMs: 5000, retries: 4, retryDelayMs: 2000 });
    const deadline = Date.now() + MINUTES * 60_000;
    try {
      while (Date.now() < deadline) {
        await sleep(1000 + random() * 3000);
        const name = names[Math.floor(random() * names.length)];
        const t0 = Date.now();
        await faults[name]();
        const entry = tally.get(name)!;
        entry.count++;
        entry.ms += Date.now() - t0;
        console.log(`[soak ${label}] ${Math.round((deadline - Date.now()) / 1000)} s left: ${name} (${Date.now() - t0} ms)`);
      }
    } finally {
      await load.stop();
    }
    await proxy.restore();
    await pipeline.settle(180_000);
    const report = await pipeline.check(`soak ${label}`);
    const table = [
      '| fault | injected | mean ms |',
      '| --- | --- | --- |',
      ...[...tally].map(([n, t]) => `| ${n} | ${t.count} | ${t.count ? Math.round(t.ms / t.count) : 0} |`),
      '',
      '| acked | info | fail | applied | lost | duplicated | reordered | counters out of range | state mismatch | phantom | ack mismatch |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      `| ${report.acked} | ${report.info} | ${report.failed} | ${report.applied} | ${report.lost} | ${report.duplicated} | ${report.reordered} | ${report.countersOutOfRange} | ${report.stateMismatches} | ${report.phantoms} | ${report.ackMismatches} |`,
    ].join('\n');
    tables.push(`${label}: soak seed ${SEED}, ${MINUTES} minutes, Kafka client ${CLIENT}\n${table}`);
    console.log(tables.at(-1));
    await pipeline.close();
    await proxy.close();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }
});
