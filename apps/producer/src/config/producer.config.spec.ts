import { ConfigError, DEFAULT_DATABASE_URL } from '@async2/data-access';
import { DEFAULT_EVENT_LIMITS } from '@async2/domain';
import { loadProducerConfig } from './producer.config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadProducerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadProducerConfig', () => {
  it('an empty environment gives a working local configuration', () => {
    const config = loadProducerConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      bodyLimitBytes: 4 * 1024 * 1024,
      http: { requestTimeoutMs: 30000, headersTimeoutMs: 10000, keepAliveTimeoutMs: 72000 },
      publish: { senders: 1, lingerMs: 2, maxBatchEvents: 5000, maxPendingEvents: 100000, timeoutMs: 15000 },
      readAfterTimeoutMs: 5000,
      readAfterPollMs: 20,
      kafka: { brokers: ['127.0.0.1:9092'], clientId: 'async2-producer', ssl: false, sasl: undefined },
      topics: { topic: 'events', deadLetterTopic: 'events.dlq', changesTopic: 'events.changes', partitions: 4, replicationFactor: 1 },
      database: { url: DEFAULT_DATABASE_URL, poolSize: 10, ssl: undefined },
      consumerGroup: 'async2-consumer',
    });
    expect(config.instanceId).toMatch(/^producer-.+-\d+$/);
  });

  it('fresh reads: the local consumer by default, a per-partition template when set, a bad template named', () => {
    expect(loadProducerConfig({}).freshRead).toEqual({ ownerUrlTemplate: 'http://127.0.0.1:3001', timeoutMs: 1000 });
    expect(loadProducerConfig({ CONSUMER_READ_URL_TEMPLATE: 'http://consumer-{partition}.consumer-headless:3001', FRESH_READ_TIMEOUT_MS: '250' }).freshRead).toEqual({
      ownerUrlTemplate: 'http://consumer-{partition}.consumer-headless:3001',
      timeoutMs: 250,
    });
    expect(problemsOf({ CONSUMER_READ_URL_TEMPLATE: 'consumer-{pod}:3001', FRESH_READ_TIMEOUT_MS: '0' })).toEqual([
      'FRESH_READ_TIMEOUT_MS="0": must be an integer between 1 and 600000',
      'CONSUMER_READ_URL_TEMPLATE="consumer-{pod}:3001": the only placeholder is {partition}',
    ]);
  });

  it('accepts by default exactly what the consumer re-validates against (no accepted event is poison)', () => {
    expect(loadProducerConfig({}).limits).toEqual(DEFAULT_EVENT_LIMITS);
  });

  it('reads set values', () => {
    const config = loadProducerConfig({
      PORT: '8080',
      PRODUCE_LINGER_MS: '0',
      PRODUCE_SENDERS: '3',
      KAFKA_BROKERS: ' a:9092, ,b:9092 ',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
      DATABASE_URL: 'postgresql://db/x',
      DATABASE_SSL: 'verify-full',
    });
    expect(config).toMatchObject({
      port: 8080,
      publish: { lingerMs: 0, senders: 3 },
      kafka: { brokers: ['a:9092', 'b:9092'], sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } },
      database: { url: 'postgresql://db/x', ssl: { rejectUnauthorized: true } },
    });
  });

  it.each([
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: 'http' }],
    ['PRODUCE_TIMEOUT_MS', { PRODUCE_TIMEOUT_MS: '10' }],
    ['PRODUCE_MAX_BATCH_EVENTS', { PRODUCE_MAX_BATCH_EVENTS: '0' }],
    ['KAFKA_SASL_MECHANISM', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['KAFKA_TOPIC', { KAFKA_TOPIC: 'bad topic', KAFKA_DLQ_TOPIC: 'dlq' }],
    ['KAFKA_SSL', { KAFKA_SSL: 'maybe' }],
    ['HTTP_REQUEST_TIMEOUT_MS', { HTTP_REQUEST_TIMEOUT_MS: '0' }],
    ['HTTP_HEADERS_TIMEOUT_MS', { HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' }],
  ])('%s: a bad value is refused with a ConfigError naming it', (name, env) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });

  it('names every bad variable at once', () => {
    const problems = problemsOf({ PRODUCE_LINGER_MS: 'abc', PORT: '70000', KAFKA_SASL_MECHANISM: 'plain', DATABASE_URL: 'mysql://x' });
    expect(problems).toHaveLength(4);
    for (const name of ['PRODUCE_LINGER_MS', 'PORT', 'KAFKA_SASL_MECHANISM', 'DATABASE_URL']) {
      expect(problems.some((p) => p.includes(name))).toBe(true);
    }
  });
});
