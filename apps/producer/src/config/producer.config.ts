import { type ApiKeyEntry, EnvReader, readApiKeys, readSharedSettings, type SharedSettings } from '@async2/data-access';
import type { EventLimits } from '@async2/domain';
import { ownerTemplateProblem } from '../read/owner-address';

/** The producer's whole configuration, validated once at boot and injected as PRODUCER_CONFIG. */
export interface ProducerConfig extends SharedSettings {
  host: string;
  port: number;
  bodyLimitBytes: number;
  http: {
    /** Whole request (headers and body) must arrive within this, else 408: slow clients cannot hold a connection. */
    requestTimeoutMs: number;
    /** Headers must arrive within this, else 408 (slowloris). */
    headersTimeoutMs: number;
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeoutMs: number;
  };
  limits: EventLimits;
  publish: {
    /** Producers, each with one request in flight, each owning the partitions p with p mod senders = its index. */
    senders: number;
    lingerMs: number;
    maxBatchEvents: number;
    maxPendingEvents: number;
    timeoutMs: number;
  };
  readAfterTimeoutMs: number;
  readAfterPollMs: number;
  /** consistency=fresh: where the owner of a partition answers, and how long it gets. */
  freshRead: {
    ownerUrlTemplate: string;
    timeoutMs: number;
  };
  grpc: {
    host: string;
    port: number;
    /** Events of one PublishStream read ahead of their answers; the stream pauses beyond it. */
    streamMaxInFlight: number;
  };
  /** Hashed API keys; empty: authentication is off. */
  apiKeys: ApiKeyEntry[];
  /** GET /v1/changes (SSE) and its snapshot. */
  changes: {
    heartbeatMs: number;
    /** Bytes a subscriber may have waiting in its socket's buffer before the stream waits for it to drain. */
    subscriberBufferBytes: number;
    /** How long a subscriber may leave a full buffer undrained before it is dropped. */
    slowSubscriberTimeoutMs: number;
    maxSubscribers: number;
    snapshotPageMax: number;
  };
}

export const PRODUCER_CONFIG = Symbol('PRODUCER_CONFIG');

export function loadProducerConfig(environment: NodeJS.ProcessEnv = process.env): ProducerConfig {
  const env = new EnvReader(environment);
  const shared = readSharedSettings(env, 'producer');
  const host = env.string('HOST', '127.0.0.1');
  const config: ProducerConfig = {
    ...shared,
    host,
    port: env.int('PORT', 3000, { min: 0, max: 65535 }),
    bodyLimitBytes: env.int('BODY_LIMIT_BYTES', 4 * 1024 * 1024, { min: 1024, max: 256 * 1024 * 1024 }),
    http: {
      requestTimeoutMs: env.int('HTTP_REQUEST_TIMEOUT_MS', 30000, { min: 100, max: 600000 }),
      headersTimeoutMs: env.int('HTTP_HEADERS_TIMEOUT_MS', 10000, { min: 100, max: 600000 }),
      keepAliveTimeoutMs: env.int('HTTP_KEEP_ALIVE_TIMEOUT_MS', 72000, { min: 100, max: 600000 }),
    },
    limits: {
      idMaxBytes: env.int('ID_MAX_BYTES', 256, { min: 1, max: 4096 }),
      eventIdMaxBytes: env.int('EVENT_ID_MAX_BYTES', 128, { min: 1, max: 1024 }),
      dataMaxBytes: env.int('DATA_MAX_BYTES', 64 * 1024, { min: 2, max: 16 * 1024 * 1024 }),
      dataMaxDepth: env.int('DATA_MAX_DEPTH', 32, { min: 1, max: 1000 }),
      batchMaxEvents: env.int('BATCH_MAX_EVENTS', 1000, { min: 1, max: 100000 }),
      appendKeepLastMax: env.int('APPEND_KEEP_LAST_MAX', 1000, { min: 1, max: 1000000 }),
    },
    publish: {
      senders: env.int('PRODUCE_SENDERS', 1, { min: 1, max: 16 }),
      lingerMs: env.int('PRODUCE_LINGER_MS', 2, { min: 0, max: 1000 }),
      maxBatchEvents: env.int('PRODUCE_MAX_BATCH_EVENTS', 5000, { min: 1, max: 1000000 }),
      maxPendingEvents: env.int('PRODUCE_MAX_PENDING_EVENTS', 100000, { min: 1, max: 10000000 }),
      timeoutMs: env.int('PRODUCE_TIMEOUT_MS', 15000, { min: 100, max: 600000 }),
    },
    readAfterTimeoutMs: env.int('READ_AFTER_TIMEOUT_MS', 5000, { min: 0, max: 600000 }),
    readAfterPollMs: env.int('READ_AFTER_POLL_MS', 20, { min: 1, max: 10000 }),
    freshRead: {
      ownerUrlTemplate: env.string('CONSUMER_READ_URL_TEMPLATE', 'http://127.0.0.1:3001'),
      timeoutMs: env.int('FRESH_READ_TIMEOUT_MS', 1000, { min: 1, max: 600000 }),
    },
    grpc: {
      host: env.string('GRPC_HOST', host),
      port: env.int('GRPC_PORT', 50051, { min: 0, max: 65535 }),
      streamMaxInFlight: env.int('GRPC_STREAM_MAX_IN_FLIGHT', 1000, { min: 1, max: 100000 }),
    },
    apiKeys: readApiKeys(env),
    changes: {
      heartbeatMs: env.int('CHANGES_HEARTBEAT_MS', 15000, { min: 100, max: 600000 }),
      subscriberBufferBytes: env.int('CHANGES_SUBSCRIBER_BUFFER_BYTES', 1024 * 1024, { min: 1024, max: 256 * 1024 * 1024 }),
      slowSubscriberTimeoutMs: env.int('CHANGES_SLOW_SUBSCRIBER_TIMEOUT_MS', 10000, { min: 10, max: 600000 }),
      maxSubscribers: env.int('CHANGES_MAX_SUBSCRIBERS', 100, { min: 1, max: 100000 }),
      snapshotPageMax: env.int('CHANGES_SNAPSHOT_PAGE_MAX', 1000, { min: 1, max: 100000 }),
    },
  };
  // Node refuses a headers timeout longer than the request timeout.
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) env.problem('HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS');
  const templateProblem = ownerTemplateProblem(config.freshRead.ownerUrlTemplate);
  if (templateProblem) env.problem(`CONSUMER_READ_URL_TEMPLATE=${JSON.stringify(config.freshRead.ownerUrlTemplate)}: ${templateProblem}`);
  env.done();
  return config;
}
