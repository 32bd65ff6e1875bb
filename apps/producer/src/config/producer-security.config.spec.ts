import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyRing, ConfigError, dataSourceOptions, hashApiKey, kafkaClientOptions } from '@async2/data-access';
import { loadProducerConfig } from './producer.config';

// Transport security and API keys are configuration: these prove the variables reach the options
// kafkajs and pg are built with (the clients take them as is).
const dir = mkdtempSync(join(tmpdir(), 'async2-security-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const PEM = (what: string) => `-----BEGIN CERTIFICATE-----\n${what}\n-----END CERTIFICATE-----\n`;

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadProducerConfig(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('gRPC and API key configuration', () => {
  it('defaults: gRPC on 50051 beside HTTP, 1000 events in flight per stream, no API keys (auth off)', () => {
    const config = loadProducerConfig({ HOST: '0.0.0.0' });
    expect(config.grpc).toEqual({ host: '0.0.0.0', port: 50051, streamMaxInFlight: 1000 });
    expect(config.apiKeys).toEqual([]);
    expect(new ApiKeyRing(config.apiKeys).enabled).toBe(false);
  });

  it('reads keys from API_KEYS and API_KEYS_FILE together', () => {
    const path = file('keys', `# mounted secret\nops:read+write:${hashApiKey('k2').toString('hex')}\n`);
    const config = loadProducerConfig({ API_KEYS: `svc:write:${hashApiKey('k1').toString('hex')}`, API_KEYS_FILE: path, GRPC_PORT: '6000' });
    expect(config.grpc.port).toBe(6000);
    const ring = new ApiKeyRing(config.apiKeys);
    expect(ring.authorize('Bearer k1', 'write')).toEqual({ ok: true, keyName: 'svc' });
    expect(ring.authorize('Bearer k2', 'read')).toEqual({ ok: true, keyName: 'ops' });
    expect(ring.authorize('Bearer k1', 'read')).toMatchObject({ ok: false, reason: 'scope' });
  });

  it.each([
    ['API_KEYS', { API_KEYS: 'svc:write:plaintext-key' }],
    ['API_KEYS_FILE', { API_KEYS_FILE: join(dir, 'missing') }],
    ['API_KEYS_FILE', { API_KEYS_FILE: file('empty', '# nothing yet\n') }],
    ['GRPC_PORT', { GRPC_PORT: '-1' }],
    ['GRPC_STREAM_MAX_IN_FLIGHT', { GRPC_STREAM_MAX_IN_FLIGHT: '0' }],
  ])('%s: a bad value stops the start, named', (name, env) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });
});

describe('transport security reaches the clients', () => {
  it('Kafka: SASL SCRAM and TLS with our CA and a client certificate', () => {
    const config = loadProducerConfig({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: file('ca.pem', PEM('ca')),
      KAFKA_SSL_CERT_FILE: file('cert.pem', PEM('cert')),
      KAFKA_SSL_KEY_FILE: file('key.pem', '-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n'),
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: 'secret',
    });
    expect(kafkaClientOptions(config.kafka)).toMatchObject({
      ssl: { rejectUnauthorized: true, ca: PEM('ca'), cert: PEM('cert'), key: expect.stringContaining('PRIVATE KEY') },
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'secret' },
    });
  });

  it('Kafka: KAFKA_SSL alone uses the system CAs; SASL PLAIN without TLS is allowed (e.g. inside a mesh)', () => {
    expect(kafkaClientOptions(loadProducerConfig({ KAFKA_SSL: 'true' }).kafka).ssl).toBe(true);
    const plain = kafkaClientOptions(loadProducerConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).kafka);
    expect(plain).toMatchObject({ ssl: false, sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
  });

  it('PostgreSQL: verify-full with our CA, require without verification', () => {
    const verified = dataSourceOptions(loadProducerConfig({ DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: file('pg-ca.pem', PEM('pg')) }).database);
    expect(verified).toMatchObject({ ssl: { rejectUnauthorized: true, ca: PEM('pg') } });
    expect(dataSourceOptions(loadProducerConfig({ DATABASE_SSL: 'require' }).database)).toMatchObject({ ssl: { rejectUnauthorized: false } });
    expect((dataSourceOptions(loadProducerConfig({}).database) as { ssl?: unknown }).ssl).toBeUndefined();
  });

  it.each([
    ['KAFKA_SSL', { KAFKA_SSL_CA_FILE: file('ca2.pem', PEM('ca')) }],
    ['KAFKA_SSL_CERT_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: file('c.pem', PEM('c')) }],
    ['KAFKA_SSL_CA_FILE', { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: file('not-pem.txt', 'hello') }],
    ['DATABASE_SSL_CA_FILE', { DATABASE_SSL_CA_FILE: file('pg2.pem', PEM('pg')) }],
    ['DATABASE_SSL_CA_FILE', { DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: join(dir, 'nope.pem') }],
  ])('%s: an inconsistent TLS setting stops the start, named', (name, env) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });
});
