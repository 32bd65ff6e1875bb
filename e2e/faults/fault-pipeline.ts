import {
  type AppProcess,
  DatabaseProbe,
  type TestDatabase,
  createTestDatabase,
  freePort,
  readWholeTopic,
  spawnApp,
  startApp,
  testBrokers,
  uniqueName,
  waitFor,
  waitUntilReady,
} from '@async2/testing';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { type CheckReport, checkHistory, formatReport } from '../workload/checker';
import { History } from '../workload/history';
import { type WorkloadRunOptions, runHttpWorkload } from '../workload/http-client';
import { type CheckedVerdict, type StoredVerdictRow, resolveStoredVerdicts } from '../workload/verdict-reference';
import { WorkloadGenerator } from '../workload/workload';
import { auditedTombstones, installTtlAudit, storedExpiries, waitForSweeps } from './ttl-audit';

export interface FaultPipelineOptions {
  partitions?: number;
  seed: number;
  brokers?: string[];
  /** Replicas of the topics the apps create (KAFKA_REPLICATION_FACTOR): 3 on OwnCluster. */
  replicationFactor?: number;
  producerEnv?: Record<string, string>;
  consumerEnv?: Record<string, string>;
  /**
   * Starts of the producer before giving up (default 1). On a cluster an app can exit at boot on a
   * transient metadata error (a topic created a moment ago not yet on every broker); a restart policy
   * starts it again, and so does this, saying so.
   */
  bootAttempts?: number;
  /** IDs of the workload (defaults 120 tracked, 24 counters); long runs need more, so each tracked ID stays within DEDUPE_WINDOW events. */
  trackedIds?: number;
  counterIds?: number;
  /**
   * IDs written with short ttlMs (default none): they expire, are swept and revived during the run,
   * and check() waits for the sweep and checks them exactly (ttl-audit.ts, expiry-reference.ts).
   */
  ttlIds?: number;
}

/** Consumer settings that make faults bite: small flushes, a small cache, a short session timeout. */
export const FAULT_CONSUMER_ENV = {
  PARTITIONS: 'all',
  FLUSH_INTERVAL_MS: '150',
  FLUSH_MAX_EVENTS: '200',
  MAX_CACHED_IDS: '20', // fewer than the IDs: evicted IDs are reloaded from EVENTS mid-run
  DEDUPE_WINDOW: '1000', // >= events per tracked ID: recent_event_ids is each ID's whole applied history
  KAFKA_SESSION_TIMEOUT_MS: '6000', // a killed member leaves the group after 6 s, not 30 s
  KAFKA_REBALANCE_TIMEOUT_MS: '10000', // ... and holds up a rebalance at most 10 s, not 60 s
  PROGRESS_CHECK_MS: '500',
  TTL_SWEEP_INTERVAL_MS: '250', // TTL IDs' expiries are swept several times a second (between their writes too)
  PARKED_MAX_HELD_EVENTS: '1', // parked events leave memory once committed: releases load them back, under every fault
  SHUTDOWN_FLUSH_TIMEOUT_MS: '10000',
};

/**
 * One pipeline under test: its own database and topic, the producer, consumers that a scenario
 * starts, kills, stops and resumes, a Jepsen-style history of every request, and the checker.
 */
export class FaultPipeline {
  readonly topic = uniqueName('events-faults');
  /** Its own group: members killed by other suites must not hold up this one's rebalances. */
  readonly consumerGroup = uniqueName('faults-group');
  readonly history = new History();
  readonly generator: WorkloadGenerator;
  readonly consumers: AppProcess[] = [];
  database!: TestDatabase;
  probe!: DatabaseProbe;
  kafka!: Kafka;
  admin!: Admin;
  producer!: AppProcess;
  /** Each position's verdict as the first snapshot saw it: a later different one is a flip (checked by check()). */
  private readonly verdictsFirstSeen = new Map<string, CheckedVerdict | undefined>();
  /**
   * Positions (`partition:offset`) of refused events the operator asked to replay their IDs
   * without (`replay?skip=refused`, docs/parking.md): whether or not the request's answer came
   * back, the ID stays parked at that event until a request naming it is folded, and settle()
   * repeats requests until no ID is parked, so at check() every one of them was discarded.
   */
  private readonly discarded = new Set<string>();
  private readonly loads = new Set<{ stop(): Promise<void> }>();

  private constructor(readonly options: FaultPipelineOptions) {
    this.generator = new WorkloadGenerator({ seed: options.seed, trackedIds: options.trackedIds ?? 120, counterIds: options.counterIds ?? 24, ttlIds: options.ttlIds, tag: `s${options.seed}` });
  }

  static async start(options: FaultPipelineOptions): Promise<FaultPipeline> {
    const pipeline = new FaultPipeline(options);
    try {
      await pipeline.open();
    } catch (error) {
      await pipeline.close().catch(() => undefined); // its database, connections and apps, or jest never exits
      throw error;
    }
    return pipeline;
  }

  get brokers(): string[] {
    return this.options.brokers ?? testBrokers();
  }

  env(): Record<string, string> {
    return {
      KAFKA_BROKERS: this.brokers.join(','),
      DATABASE_URL: this.database.url,
      KAFKA_TOPIC: this.topic,
      KAFKA_TOPIC_PARTITIONS: String(this.options.partitions ?? 3),
      KAFKA_REPLICATION_FACTOR: String(this.options.replicationFactor ?? 1),
      CONSUMER_GROUP: this.consumerGroup,
    };
  }

  private async open(): Promise<void> {
    this.database = await createTestDatabase('async2_e2e');
    this.probe = await DatabaseProbe.connect(this.database.url);
    this.kafka = new Kafka({ clientId: 'fault-test', brokers: this.brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } });
    this.admin = this.kafka.admin();
    await this.admin.connect();
    for (let attempt = 1; !this.producer; attempt++) {
      try {
        this.producer = await startApp('producer', await freePort(), { ...this.env(), ...this.options.producerEnv });
      } catch (error) {
        if (attempt >= (this.options.bootAttempts ?? 1)) throw error;
        console.log(`producer start ${attempt} failed, starting it again: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    if (this.options.ttlIds) await installTtlAudit(this.probe); // the producer migrated the schema: EVENTS and OPLOG exist
  }

  /** Starts a consumer and waits until it is ready (its claims are made). */
  async startConsumer(env: Record<string, string> = {}): Promise<AppProcess> {
    const consumer = await startApp('consumer', await freePort(), { ...this.env(), ...FAULT_CONSUMER_ENV, ...this.options.consumerEnv, ...env });
    this.consumers.push(consumer);
    return consumer;
  }

  /** Starts a consumer without waiting for it (it may be killed, or kill itself, while starting). */
  async spawnConsumer(env: Record<string, string> = {}): Promise<AppProcess> {
    const consumer = spawnApp('consumer', await freePort(), { ...this.env(), ...FAULT_CONSUMER_ENV, ...this.options.consumerEnv, ...env });
    this.consumers.push(consumer);
    return consumer;
  }

  async waitReady(consumer: AppProcess): Promise<void> {
    await waitUntilReady(consumer, 60_000);
  }

  /** Runs the workload in the background until the returned stop() is called; stop() resolves when every request answered. */
  load(options: Partial<Omit<WorkloadRunOptions, 'baseUrl' | 'generator' | 'history' | 'keepGoing'>> = {}): { stop(): Promise<void> } {
    let going = true;
    // Snapshots of VERDICTS while the faults happen: a verdict that changes between two of them (or
    // by the end) flipped. And an operator who replays parked IDs without their refused event as
    // they come, so releases are folded under the same faults as everything else.
    const snapshots = (async () => {
      while (going) {
        await this.snapshotVerdicts().catch(() => undefined); // the database may be down on purpose
        await this.releaseParked().catch(() => undefined); // ... and the producer or the broker
        await sleep(1000);
      }
    })();
    const run = runHttpWorkload({
      baseUrl: this.producer.url,
      generator: this.generator,
      history: this.history,
      concurrency: 4,
      batchSize: 1,
      pauseMs: 10,
      requestTimeoutMs: 20_000,
      ...options,
      keepGoing: () => going,
    });
    const handle = {
      stop: async () => {
        going = false;
        await run;
        await snapshots;
        this.loads.delete(handle);
      },
    };
    this.loads.add(handle);
    return handle;
  }

  /**
   * Stops every load still running: one a test left when it failed before its own stop() would write
   * on under the next test (whose settle and TTL sweep wait could then never end) and keep jest from
   * exiting. For afterEach (a no-op after a test that passed) and close().
   */
  async stopLoads(): Promise<void> {
    await Promise.all([...this.loads].map((load) => load.stop()));
  }

  /** SIGKILLs every consumer this pipeline started (afterEach where each test starts its own). */
  async killConsumers(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop('SIGKILL')));
  }

  async endOffsets(): Promise<Map<number, number>> {
    return new Map((await this.admin.fetchTopicOffsets(this.topic)).map((o) => [o.partition, Number(o.high)]));
  }

  /**
   * Waits until OPLOG has reached the topic's end offsets (everything in Kafka is applied) and no ID
   * is parked: each parked ID is replayed without its refused event, which writes a control record,
   * so the wait starts again, until a round finds nothing parked.
   */
  async settle(timeoutMs = 90_000): Promise<void> {
    for (let round = 1; ; round++) {
      await this.settleOffsets(timeoutMs);
      const parked = await this.parkedIds();
      if (parked.length === 0) return;
      if (round > 20) throw new Error(`still parked after ${round - 1} rounds of replays: ${parked.map((p) => `${p.id}@${p.partition}:${p.refusedOffset}`).join(', ')}`);
      await this.releaseParked();
    }
  }

  /** The IDs parked as committed (PARKED_IDS), each with its refused event's offset. */
  async parkedIds(): Promise<Array<{ id: string; partition: number; refusedOffset: number }>> {
    return this.probe.query<{ id: string; partition: number; refusedOffset: number }>(
      'SELECT id, partition, refused_offset::float8 AS "refusedOffset" FROM parked_ids WHERE consumer_group = $1 AND topic = $2 ORDER BY partition, id',
      [this.consumerGroup, this.topic],
    );
  }

  /**
   * The operator: every parked ID is replayed without its refused event through the producer's
   * admin endpoint, naming the parking it saw (`refusedOffset`): the list is read from the database
   * while earlier requests may still be on their way, so by the time a request is served the ID may
   * have been released and parked again at another event, which the request must not discard (409,
   * nothing sent). A request with an unknown outcome still counts: the ID stays parked at that
   * event until one naming it is folded (a repeat is a no-op), and settle() asks again.
   */
  async releaseParked(): Promise<number> {
    const parked = await this.parkedIds();
    for (const { id, partition, refusedOffset } of parked) {
      const url = `${this.producer.url}/v1/admin/parked/${encodeURIComponent(id)}/replay?skip=refused&refusedOffset=${refusedOffset}`;
      const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(10_000) }).catch(
        (error: Error) => ({ status: 0, error }),
      );
      // A 4xx sent nothing (404: released meanwhile; 409: parked again at another event); anything else may have sent the request.
      if (response.status >= 400 && response.status < 500) continue;
      this.discarded.add(`${partition}:${refusedOffset}`);
    }
    return parked.length;
  }

  private async settleOffsets(timeoutMs: number): Promise<void> {
    // Right after a broker fault or a leader move the admin's metadata can be stale (NOT_LEADER): ask again.
    const ends = await waitFor(() => this.endOffsets(), { timeoutMs: 30_000, intervalMs: 500, what: 'the end offsets' });
    await waitFor(
      async () => {
        const oplog = await this.probe.oplog(this.topic);
        return [...ends].every(([p, end]) => (oplog.get(p)?.nextOffset ?? 0) >= end);
      },
      { timeoutMs, intervalMs: 200, what: 'OPLOG to reach the end offsets' },
    ).catch(async (error: Error) => {
      const oplog = await this.probe.oplog(this.topic);
      throw new Error(`${error.message}\nend offsets ${JSON.stringify([...ends])}, OPLOG ${JSON.stringify([...oplog])}\n${this.runningConsumerLogs()}`);
    });
  }

  /** The last log lines of every consumer still running, for a failure's message. */
  private runningConsumerLogs(): string {
    const running = this.consumers.filter((c) => c.child.exitCode === null && c.child.signalCode === null);
    return running.map((c) => `--- consumer ${c.url} ---\n${c.logs.slice(-15).join('\n')}`).join('\n');
  }

  /** VERDICTS of this run's topic, as stored now. */
  async storedVerdicts(): Promise<StoredVerdictRow[]> {
    return this.probe.query<StoredVerdictRow>(
      `SELECT partition, "offset"::float8 AS "offset", outcome, seen_version::float8 AS "seenVersion", duplicate, src, seq::float8 AS seq
         FROM verdicts WHERE consumer_group = $1 AND topic = $2`,
      [this.consumerGroup, this.topic],
    );
  }

  /** Records the verdicts first seen at positions not seen before. */
  async snapshotVerdicts(): Promise<StoredVerdictRow[]> {
    const rows = await this.storedVerdicts();
    for (const [position, verdict] of resolveStoredVerdicts(rows)) if (!this.verdictsFirstSeen.has(position)) this.verdictsFirstSeen.set(position, verdict);
    return rows;
  }

  /** Runs the checker over the whole run so far (verdicts included) and prints its line. */
  async check(scenario: string): Promise<CheckReport> {
    const ttl = this.options.ttlIds ? await this.ttlObservation() : undefined;
    const [rows, topic, final, parked] = await Promise.all([this.probe.eventsTable(), readWholeTopic(this.kafka, this.topic), this.storedVerdicts(), this.parkedIds()]);
    const report = checkHistory({
      attempts: this.history.attempts,
      rows,
      topic,
      verdicts: { final, firstSeen: this.verdictsFirstSeen },
      parking: { discarded: this.discarded, stillParked: parked.map((p) => p.id) },
      ttl,
    });
    await this.snapshotVerdicts(); // the next scenario on this pipeline checks these stay as they are
    console.log(`[${scenario}] ${formatReport(report)}${report.problems.length ? `\n  ${report.problems.join('\n  ')}` : ''}`);
    return report;
  }

  /** TTL IDs: waits for the sweep of every expiry (a consumer must be running), then reads the audit and the expiries. */
  private async ttlObservation(): Promise<NonNullable<Parameters<typeof checkHistory>[0]['ttl']>> {
    const expiredBy = await waitForSweeps(this.probe).catch(async (error: Error) => {
      const oplog = await this.probe.oplog(this.topic);
      throw new Error(`${error.message}\nOPLOG ${JSON.stringify([...oplog])}\n${this.runningConsumerLogs()}`);
    });
    const [tombstones, expiries] = await Promise.all([auditedTombstones(this.probe), storedExpiries(this.probe)]);
    return { tombstones, expiries, expiredBy };
  }

  /** The consumer's per-partition progress from its readiness body (also served when not ready). */
  async progress(consumer: AppProcess): Promise<Array<{ partition: number; epoch: number; fenced: boolean; paused: boolean; foldedUpTo: number; committedUpTo: number }>> {
    const response = await fetch(`${consumer.url}/health/ready`);
    const body = (await response.json()) as { info?: { ownership?: { partitions?: unknown } }; error?: { ownership?: { partitions?: unknown } }; details?: { ownership?: { partitions?: unknown } } };
    return ((body.details ?? body.info ?? body.error)?.ownership?.partitions ?? []) as Awaited<ReturnType<FaultPipeline['progress']>>;
  }

  /** A Prometheus counter's value summed over its labels, from a /metrics scrape. */
  async metric(app: AppProcess, name: string): Promise<number> {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  async close(): Promise<void> {
    await this.stopLoads();
    await this.killConsumers();
    await this.producer?.stop('SIGKILL');
    await this.admin?.deleteTopics({ topics: [this.topic, `${this.topic}.dlq`, `${this.topic}.changes`] }).catch(() => undefined);
    await this.admin?.disconnect();
    await this.probe?.close();
    await this.database?.drop();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The workload seed: FAULT_SEED when set (to replay a run), else a fixed one; always printed. */
export function scenarioSeed(): number {
  const seed = Number(process.env.FAULT_SEED ?? 20261123);
  console.log(`fault scenario seed: ${seed} (replay with FAULT_SEED=${seed})`);
  return seed;
}
