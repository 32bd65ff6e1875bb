import { createTestDatabase, DatabaseProbe, freePort, OwnBroker, spawnApp, startApp, type TestDatabase, uniqueName, waitFor } from '@async2/testing';

// Kafka SASL is configuration, not code: the apps reach a broker that only lets a SCRAM-SHA-256
// user in, with KAFKA_SASL_* alone; a wrong password or no SASL settings fail the start, saying why.
describe('Kafka SASL/SCRAM, on a broker with a SCRAM-only listener', () => {
  let broker: OwnBroker;
  let database: TestDatabase;
  const topic = uniqueName('events-sasl');
  const stop: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    broker = await OwnBroker.start({ scram: 'alice:alice-secret' });
    database = await createTestDatabase('async2_e2e');
  });
  afterAll(async () => {
    for (const s of stop) await s();
    await broker?.stop();
    await database?.drop();
  });

  const alice = { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: 'alice-secret' };

  // Each Kafka client the apps can use (KAFKA_CLIENT), the same promises and the same words.
  describe.each(['kafkajs', 'platformatic'])('on %s', (client) => {
    const env = (sasl: Record<string, string>) => ({ KAFKA_CLIENT: client, KAFKA_BROKERS: broker.saslBrokers.join(','), DATABASE_URL: database.url, KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: '2', ...sasl });

    it('with the SCRAM user, both apps connect through the SASL listener and an event reaches EVENTS', async () => {
      const producer = await startApp('producer', await freePort(), env(alice));
      stop.push(() => producer.stop('SIGKILL'));
      const consumer = await startApp('consumer', await freePort(), { ...env(alice), PARTITIONS: 'all', FLUSH_INTERVAL_MS: '100' });
      stop.push(() => consumer.stop('SIGKILL'));
      const response = await fetch(`${producer.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: `sasl-${client}`, op: 'set', data: { via: 'scram' } }) });
      expect(response.status).toBe(202);
      const probe = await DatabaseProbe.connect(database.url);
      try {
        await waitFor(async () => (await probe.eventsTable()).get(`sasl-${client}`)?.state?.via === 'scram', { timeoutMs: 30_000, what: 'the event in EVENTS' });
      } finally {
        await probe.close();
      }
    });

    it.each([
      ['a wrong password', { ...alice, KAFKA_SASL_PASSWORD: 'not-her-password' }, /cannot use Kafka at .* \(no TLS, SASL scram-sha-256 as alice\): .*SASL.* authentication failed/i],
      ['no SASL settings', {}, /cannot use Kafka at .* \(no TLS, no SASL\): .*check KAFKA_BROKERS and that KAFKA_SSL \/ KAFKA_SASL_\* match the listener/],
    ])('with %s, the producer never gets ready and exits non-zero, saying why', async (_what, sasl, why) => {
      const producer = spawnApp('producer', await freePort(), { ...env(sasl), GRPC_PORT: String(await freePort()) });
      stop.push(() => producer.stop('SIGKILL'));
      const exit = await producer.exitedWithin(120_000);
      expect(exit).not.toBe(0);
      expect(exit).not.toBe('still running');
      expect(producer.logs.join('\n')).toMatch(why);
    });
  });
});
