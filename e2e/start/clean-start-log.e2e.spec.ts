import { createTestDatabase, type TestDatabase, testBrokers, uniqueName } from '@async2/testing';
import { StartScript } from './start-script';

// Issue 18, part 3: a healthy `npm start` (both apps, a new topic on the broker, one event written and
// read back, then Ctrl-C) prints no ERROR and no WARN, nothing on stderr (no Node warning), and every
// line of the apps is one JSON shape, the Kafka client's own included. On each client (KAFKA_CLIENT).
describe.each(['kafkajs', 'platformatic'])('npm start prints one clean log, on %s', (client) => {
  let database: TestDatabase;
  let start: StartScript | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('async2_start_log');
  });
  afterAll(async () => {
    start?.killAll();
    await database?.drop();
  });

  it('no ERROR or WARN line, nothing on stderr, one JSON shape for every app line', async () => {
    // At debug every line of the default level is printed too, and the client's own (kafkajs's INFO
    // and the broker answers it retries; platformatic's connections, metadata and retries) come
    // through: a superset of what a user sees, none WARN or above.
    start = await StartScript.launch({ KAFKA_CLIENT: client, KAFKA_BROKERS: testBrokers().join(','), DATABASE_URL: database.url, LOG_LEVEL: 'debug' });
    await start.ready();
    const nonce = uniqueName('nonce');
    expect(await start.roundTrip('start-log-1', { nonce })).toEqual({ nonce });
    start.child.kill('SIGINT');
    expect(await start.exited).toEqual({ code: 0, signal: null });

    const logs = start.appLogs();
    // Both apps logged, the client among them (through the same logger), up to the consumer's last word.
    expect(new Set(logs.map((l) => l.service))).toEqual(new Set(['producer', 'consumer']));
    expect(logs.some((l) => String(l.context).startsWith(`${client}.`) && l.level === 20)).toBe(true);
    expect(logs.some((l) => l.msg === 'stopped: every folded event is committed')).toBe(true);
    for (const line of logs) {
      expect({ level: typeof line.level, time: typeof line.time, service: typeof line.service, msg: typeof line.msg }).toEqual({ level: 'number', time: 'number', service: 'string', msg: 'string' });
    }
    expect(logs.filter((l) => (l.level as number) >= 40)).toEqual([]);
    // Requests are logged, the readiness probes (start.mjs polled them) are not. A request's log line
    // is the one with its response; other lines written while a request runs (the Kafka client's,
    // during a readiness check) carry its `req` too, as every line in a request's context does.
    const urls = logs.filter((l) => l.res !== undefined).map((l) => (l.req as { url?: string } | undefined)?.url).filter(Boolean);
    expect(urls).toContain('/v1/events');
    expect(urls.filter((url) => url?.startsWith('/health'))).toEqual([]);
    // The rest of stdout is the script's own: its [start] lines and the banner.
    expect(start.stdout.filter((line) => !line.startsWith('{') && !/^(\[start\] |\[local-kafka\] | {2}|$)/.test(line))).toEqual([]);
    expect(start.stderr.filter(Boolean)).toEqual([]);
  });
});
