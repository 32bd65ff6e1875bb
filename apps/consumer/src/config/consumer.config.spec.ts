import { ConfigError, DEFAULT_DATABASE_URL } from '@async2/data-access';
import { DEFAULT_EVENT_LIMITS } from '@async2/domain';
import { loadConsumerConfig } from './consumer.config';

/** A hostname without a StatefulSet ordinal, so PARTITIONS decides alone. */
const PLAIN_HOST = 'devbox';

function problemsOf(env: NodeJS.ProcessEnv, host = PLAIN_HOST): string[] {
  try {
    loadConsumerConfig(env, host);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConsumerConfig defaults', () => {
  it('an empty environment gives a working local configuration', () => {
    const config = loadConsumerConfig({}, PLAIN_HOST);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3001,
      partitions: { kind: 'all' },
      flushIntervalMs: 1000,
      flushMaxEvents: 50000,
      dedupeWindow: 16,
      maxCachedIds: 100000,
      shutdownFlushTimeoutMs: 20000,
      bufferMaxIds: 50000,
      bufferMaxBytes: 64 * 1024 * 1024,
      progressCheckMs: 5000,
      kafkaSessionTimeoutMs: 30000,
      kafkaRebalanceTimeoutMs: 60000,
      failPoint: undefined,
      fencedLivenessGraceMs: 30000,
      verdictRetentionMs: 24 * 60 * 60 * 1000,
      kafka: { brokers: ['127.0.0.1:9092'], clientId: 'async2-consumer', ssl: false, sasl: undefined },
      topics: { topic: 'events', deadLetterTopic: 'events.dlq', changesTopic: 'events.changes', partitions: 4, replicationFactor: 1 },
      database: { url: DEFAULT_DATABASE_URL, poolSize: 10, ssl: undefined, idleInTransactionTimeoutMs: 10000 },
      consumerGroup: 'async2-consumer',
    });
    expect(config.limits).toEqual(DEFAULT_EVENT_LIMITS);
    expect(config.instanceId).toMatch(/^consumer-.+-\d+$/);
    expect(config.database.applicationName).toBe(config.instanceId);
  });

  it('an empty variable counts as unset', () => {
    expect(loadConsumerConfig({ PORT: '', FLUSH_INTERVAL_MS: '', PARTITIONS: '' }, PLAIN_HOST)).toMatchObject({ port: 3001, flushIntervalMs: 1000, partitions: { kind: 'all' } });
  });

  it('reads set values', () => {
    const config = loadConsumerConfig(
      { PORT: '0', FLUSH_INTERVAL_MS: '250', DEDUPE_WINDOW: '0', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_TOPIC: 'orders' },
      PLAIN_HOST,
    );
    expect(config).toMatchObject({ port: 0, flushIntervalMs: 250, dedupeWindow: 0, kafka: { sasl: { mechanism: 'plain', username: 'u', password: 'p' } } });
    expect(config.topics).toMatchObject({ topic: 'orders', deadLetterTopic: 'orders.dlq' });
  });
});

describe('loadConsumerConfig PARTITIONS', () => {
  it.each<[string | undefined, string, unknown]>([
    ['all', PLAIN_HOST, { kind: 'all' }],
    [' all ', 'async2-consumer-3', { kind: 'all' }],
    ['0,1', PLAIN_HOST, { kind: 'list', partitions: [0, 1] }],
    [' 2 , 0 ', PLAIN_HOST, { kind: 'list', partitions: [0, 2] }],
    ['3,1,3,1', PLAIN_HOST, { kind: 'list', partitions: [1, 3] }],
    ['10,9', PLAIN_HOST, { kind: 'list', partitions: [9, 10] }],
    ['1', 'async2-consumer-3', { kind: 'list', partitions: [1] }],
    [undefined, 'async2-consumer-3', { kind: 'list', partitions: [3] }],
    [undefined, 'consumer-0', { kind: 'list', partitions: [0] }],
    [undefined, PLAIN_HOST, { kind: 'all' }],
    [undefined, 'async2-consumer', { kind: 'all' }],
  ])('PARTITIONS=%j on host %s -> %j', (raw, host, expected) => {
    const env = raw === undefined ? {} : { PARTITIONS: raw };
    expect(loadConsumerConfig(env, host).partitions).toEqual(expected);
  });

  it.each<[Record<string, string>, string, unknown]>([
    [{ POD_INDEX: '5' }, PLAIN_HOST, { kind: 'list', partitions: [5] }],
    [{ POD_INDEX: '0' }, 'async2-consumer-3', { kind: 'list', partitions: [0] }],
    [{ POD_INDEX: '5', PARTITIONS: '1,2' }, 'async2-consumer-3', { kind: 'list', partitions: [1, 2] }],
    [{ POD_INDEX: '5', PARTITIONS: 'all' }, PLAIN_HOST, { kind: 'all' }],
    [{ POD_INDEX: '' }, 'async2-consumer-3', { kind: 'list', partitions: [3] }],
  ])('%j on host %s -> %j (PARTITIONS, then POD_INDEX, then the hostname)', (env, host, expected) => {
    expect(loadConsumerConfig(env, host).partitions).toEqual(expected);
  });

  it.each(['x', '-1', '1.5', '0,1'])('POD_INDEX=%j is refused, named', (raw) => {
    const problems = problemsOf({ POD_INDEX: raw }, 'async2-consumer-3');
    expect(problems).toEqual([expect.stringContaining('POD_INDEX')]);
  });

  it.each(['a,b', '0,,1', '-1', '1.5', '0;1', 'ALL'])('PARTITIONS=%j is refused', (raw) => {
    const problems = problemsOf({ PARTITIONS: raw });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('PARTITIONS');
  });
});

describe('loadConsumerConfig fault injection', () => {
  it('FAIL_POINT names a point and the pass to die on', () => {
    expect(loadConsumerConfig({ FAIL_POINT: 'after-upsert@2' }, PLAIN_HOST).failPoint).toEqual({ name: 'after-upsert', onPass: 2, action: 'kill' });
  });
});

describe('loadConsumerConfig operator decisions', () => {
  it('ACCEPT_OFFSET_GAP names partitions and the first offset after each gap; unset accepts nothing', () => {
    expect(loadConsumerConfig({}, PLAIN_HOST).acceptOffsetGap).toEqual(new Map());
    expect(loadConsumerConfig({ ACCEPT_OFFSET_GAP: '1:200, 3:7' }, PLAIN_HOST).acceptOffsetGap).toEqual(new Map([[1, 200], [3, 7]]));
  });
});

describe('loadConsumerConfig errors', () => {
  it.each([
    ['FLUSH_INTERVAL_MS', { FLUSH_INTERVAL_MS: 'abc' }],
    ['FLUSH_INTERVAL_MS', { FLUSH_INTERVAL_MS: '5' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '3001.5' }],
    ['KAFKA_SASL_MECHANISM', { KAFKA_SASL_MECHANISM: 'plain' }],
    ['KAFKA_SASL_MECHANISM', { KAFKA_SASL_MECHANISM: 'kerberos' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['MAX_CACHED_IDS', { MAX_CACHED_IDS: '-1' }],
    ['BUFFER_MAX_BYTES', { BUFFER_MAX_BYTES: '10' }],
    ['KAFKA_SESSION_TIMEOUT_MS', { KAFKA_SESSION_TIMEOUT_MS: '1000' }],
    ['FAIL_POINT', { FAIL_POINT: 'somewhere' }],
    ['FENCED_LIVENESS_GRACE_MS', { FENCED_LIVENESS_GRACE_MS: '-1' }],
    ['ACCEPT_OFFSET_GAP', { ACCEPT_OFFSET_GAP: 'all' }],
    ['ACCEPT_OFFSET_GAP', { ACCEPT_OFFSET_GAP: '1:200,1:300' }],
    ['ACCEPT_OFFSET_GAP', { ACCEPT_OFFSET_GAP: '1' }],
    ['VERDICT_RETENTION_MS', { VERDICT_RETENTION_MS: '10' }],
  ])('%s: a bad value is refused with a ConfigError naming it', (name, env) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({ FLUSH_INTERVAL_MS: 'abc', PORT: '70000', KAFKA_SASL_MECHANISM: 'plain', DATABASE_URL: 'mysql://x', PARTITIONS: 'a,b' });
    expect(problems).toHaveLength(5);
    for (const name of ['FLUSH_INTERVAL_MS', 'PORT', 'KAFKA_SASL_MECHANISM', 'DATABASE_URL', 'PARTITIONS']) {
      expect(problems.some((p) => p.includes(name))).toBe(true);
    }
    expect(() => loadConsumerConfig({ PORT: '70000' }, PLAIN_HOST)).toThrow(/PORT="70000"/);
  });
});
