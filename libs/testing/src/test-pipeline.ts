import type { Admin, Kafka, Producer } from 'kafkajs';
import { type AppProcess, spawnApp, startApp } from './app-process';
import { DatabaseProbe } from './events-table';
import { freePort } from './free-port';
import { type TestDatabase, createTestDatabase, testBrokers, testKafka, uniqueName } from './test-services';
import { waitFor } from './wait-for';

export interface TestPipelineOptions {
  /** Names the suite's resources: database `async2_<name>_…`, topic `events-<name>_…`. */
  name: string;
  partitions: number;
  /** Added to every app's environment (after the pipeline's own variables, so it may override them). */
  env?: Record<string, string>;
  /** Added to every consumer's environment, after CONSUMER_DEFAULTS. */
  consumerEnv?: Record<string, string>;
  brokers?: string[];
  /** How close() stops the apps that are still running (each start may say otherwise). */
  stopSignal?: NodeJS.Signals;
}

export interface AppStartOptions {
  /** A port the suite chose beforehand (to restart an app where others expect it); else a free one. */
  port?: number;
  /** How close() stops this app if it is still running. */
  stopSignal?: NodeJS.Signals;
  /** How long a start waits for readiness (startApp's default, 60 s, unless said). */
  readyTimeoutMs?: number;
}

/** What a consumer in a test runs with unless the suite says otherwise: every partition, flushes every 200 ms. */
export const CONSUMER_DEFAULTS: Readonly<Record<string, string>> = { PARTITIONS: 'all', FLUSH_INTERVAL_MS: '200' };

/**
 * One pipeline under test (house style 18): its own database and topic name, a Kafka admin and a
 * probe of EVENTS/OPLOG, and the producers and consumers a suite starts on them. close() stops every
 * app it started, deletes the topic with its DLQ and change topic, and drops the database.
 */
export class TestPipeline {
  readonly topic: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  database!: TestDatabase;
  probe!: DatabaseProbe;
  private readonly apps: Array<{ app: AppProcess; stopSignal: NodeJS.Signals }> = [];
  private readonly producers: Producer[] = [];

  private constructor(private readonly options: TestPipelineOptions) {
    this.topic = uniqueName(`events-${options.name}`);
    this.kafka = testKafka('async2-test', this.brokers);
    this.admin = this.kafka.admin();
  }

  /** Creates the database, connects the probe and the admin; on failure cleans up what it made. */
  static async open(options: TestPipelineOptions): Promise<TestPipeline> {
    const pipeline = new TestPipeline(options);
    try {
      pipeline.database = await createTestDatabase(`async2_${options.name}`);
      pipeline.probe = await DatabaseProbe.connect(pipeline.database.url);
      await pipeline.admin.connect();
    } catch (error) {
      await pipeline.close();
      throw error;
    }
    return pipeline;
  }

  get brokers(): string[] {
    return this.options.brokers ?? testBrokers();
  }

  /** The environment every app of this pipeline gets (the apps create the topics themselves). */
  env(): Record<string, string> {
    return {
      KAFKA_BROKERS: this.brokers.join(','),
      DATABASE_URL: this.database.url,
      KAFKA_TOPIC: this.topic,
      KAFKA_TOPIC_PARTITIONS: String(this.options.partitions),
      ...this.options.env,
    };
  }

  /** Starts a producer and waits until it is ready. */
  async startProducer(env: Record<string, string> = {}, options: AppStartOptions = {}): Promise<AppProcess> {
    const app = await startApp('producer', options.port ?? (await freePort()), { ...this.env(), ...env }, options.readyTimeoutMs);
    return this.register(app, options);
  }

  /** Starts a consumer and waits until it is ready (its claims are made). */
  async startConsumer(env: Record<string, string> = {}, options: AppStartOptions = {}): Promise<AppProcess> {
    const app = await startApp('consumer', options.port ?? (await freePort()), this.consumerEnv(env), options.readyTimeoutMs);
    return this.register(app, options);
  }

  /** Starts a consumer without waiting for it (it may be killed, or kill itself, while starting). */
  async spawnConsumer(env: Record<string, string> = {}, options: AppStartOptions = {}): Promise<AppProcess> {
    const app = spawnApp('consumer', options.port ?? (await freePort()), this.consumerEnv(env));
    return this.register(app, options);
  }

  /** A connected Kafka producer for writing records the way another writer would (it never creates topics); close() disconnects it. */
  async kafkaProducer(): Promise<Producer> {
    const producer = this.kafka.producer({ allowAutoTopicCreation: false });
    this.producers.push(producer);
    await producer.connect();
    return producer;
  }

  /** End offsets of every partition of the pipeline's topic (or of another one). */
  async endOffsets(topic = this.topic): Promise<Map<number, number>> {
    return new Map((await this.admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  }

  /**
   * Waits until OPLOG has reached `ends` (by default the topic's end offsets now): everything in
   * Kafka is applied. On timeout the error carries both positions and the running consumers' logs.
   */
  async waitUntilApplied({ ends, timeoutMs = 60_000, intervalMs = 50, what = 'OPLOG to reach the end offsets' }: { ends?: Map<number, number>; timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<void> {
    const target = ends ?? (await this.endOffsets());
    await waitFor(
      async () => {
        const oplog = await this.probe.oplog(this.topic);
        return [...target].every(([p, end]) => (oplog.get(p)?.nextOffset ?? 0) >= end);
      },
      { timeoutMs, intervalMs, what },
    ).catch(async (error: Error) => {
      const oplog = await this.probe.oplog(this.topic);
      const running = this.apps.filter(({ app }) => app.name === 'consumer' && app.child.exitCode === null && app.child.signalCode === null);
      throw new Error(
        `${error.message}\nend offsets ${JSON.stringify([...target])}, OPLOG ${JSON.stringify([...oplog])}\n` +
          running.map(({ app }) => `--- consumer ${app.url} ---\n${app.logs.slice(-15).join('\n')}`).join('\n'),
      );
    });
  }

  /** Stops every app still running (the last started first), disconnects its Kafka producers, deletes the topics, drops the database. */
  async close(): Promise<void> {
    for (const { app, stopSignal } of this.apps.splice(0).reverse()) await app.stop(stopSignal);
    for (const producer of this.producers.splice(0)) await producer.disconnect();
    // One call per topic: deleting one that was never created (no consumer ran) must not keep the others.
    for (const topic of [this.topic, `${this.topic}.dlq`, `${this.topic}.changes`]) await this.admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await this.admin.disconnect();
    await this.probe?.close();
    await this.database?.drop();
  }

  private consumerEnv(env: Record<string, string>): Record<string, string> {
    return { ...this.env(), ...CONSUMER_DEFAULTS, ...this.options.consumerEnv, ...env };
  }

  private register(app: AppProcess, options: AppStartOptions): AppProcess {
    this.apps.push({ app, stopSignal: options.stopSignal ?? this.options.stopSignal ?? 'SIGTERM' });
    return app;
  }
}
