import { partitionForKey } from '@async2/domain';
import { type AppProcess, type TestDatabase, TestPipeline, createTestDatabase, freePort, uniqueName, waitFor } from '@async2/testing';
import { EventsGrpcClient } from './grpc-client';

// consistency=fresh: reads from the owning consumer's memory, its fallback to EVENTS, monotonic
// reads with minVersion across a consumer crash, and the consumer's refusals (not owner, fenced).
const PARTITIONS = 4;

interface ReadAnswer {
  status: number;
  source: string | null;
  fallback: string | null;
  body: { state?: Record<string, unknown>; version?: number; source?: string; error?: { code: string; message: string } };
}

describe('fresh reads from the owning consumer', () => {
  let pipeline: TestPipeline;
  /** For the extra consumers of the refusal tests: their flushes must not touch the main EVENTS. */
  let sideDatabase: TestDatabase;
  let producer: AppProcess;
  let consumer: AppProcess | undefined;
  let consumerPort: number;
  let grpc: EventsGrpcClient;
  const others: AppProcess[] = [];

  const startSideConsumer = async (group: string) => {
    const app = await pipeline.startConsumer({ PARTITIONS: '0', CONSUMER_GROUP: group, DATABASE_URL: sideDatabase.url }, { stopSignal: 'SIGKILL' });
    others.push(app);
    return app;
  };
  const idOn = (partition: number, prefix: string) => {
    for (let i = 0; ; i++) if (partitionForKey(`${prefix}-${i}`, PARTITIONS) === partition) return `${prefix}-${i}`;
  };
  const publish = async (event: object): Promise<string> => {
    const response = await fetch(`${producer.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect(response.status).toBe(202);
    return ((await response.json()) as { token: string }).token;
  };
  const read = async (id: string, query: string): Promise<ReadAnswer> => {
    const response = await fetch(`${producer.url}/v1/entities/${encodeURIComponent(id)}?${query}`);
    return { status: response.status, source: response.headers.get('x-read-source'), fallback: response.headers.get('x-read-fallback'), body: (await response.json()) as ReadAnswer['body'] };
  };
  const storedRow = async (id: string) => (await pipeline.probe.eventsTable()).get(id);

  beforeAll(async () => {
    pipeline = await TestPipeline.open({
      name: 'fresh',
      partitions: PARTITIONS,
      // No timer flush for 30 s: whatever a read sees before that comes from the fold's memory.
      consumerEnv: { FLUSH_INTERVAL_MS: '30000', FLUSH_MAX_EVENTS: '1000000', PROGRESS_CHECK_MS: '600000', KAFKA_SESSION_TIMEOUT_MS: '6000' },
    });
    sideDatabase = await createTestDatabase('async2_fresh_side');
    consumerPort = await freePort();
    const grpcPort = await freePort();
    producer = await pipeline.startProducer({
      GRPC_PORT: String(grpcPort),
      CONSUMER_READ_URL_TEMPLATE: `http://127.0.0.1:${consumerPort}`,
      FRESH_READ_TIMEOUT_MS: '2000',
      READ_AFTER_TIMEOUT_MS: '2000',
    });
    grpc = new EventsGrpcClient(`127.0.0.1:${grpcPort}`);
    consumer = await pipeline.startConsumer({}, { port: consumerPort });
  });

  afterAll(async () => {
    grpc?.close();
    await pipeline?.close();
    await sideDatabase?.drop();
  });

  it('reads a write with after= from memory well before a flush, while EVENTS does not have it yet', async () => {
    const id = uniqueName('fresh');
    await publish({ id, op: 'set', data: { name: 'Ada', visits: 1 } });
    const token = await publish({ id, op: 'incr', data: { visits: 2 } });

    const fresh = await read(id, `consistency=fresh&after=${token}`);
    expect(fresh).toMatchObject({ status: 200, source: 'memory', fallback: null, body: { state: { name: 'Ada', visits: 3 }, version: 2, source: 'memory' } });
    // EVENTS has no row yet (the next flush is 30 s away): the default, eventual read does not find it.
    expect(await storedRow(id)).toBeUndefined();
    expect((await read(id, `after=${token}`)).status).toBe(504);
    expect((await read(id, '')).status).toBe(404);

    // The same over gRPC, with the new GetRequest fields.
    const entity = await grpc.getWith({ id, after: token, consistency: 'fresh' });
    expect({ state: JSON.parse(entity.state), version: entity.version, source: entity.source, fallback: entity.fallback }).toEqual({ state: { name: 'Ada', visits: 3 }, version: 2, source: 'memory', fallback: '' });
    await expect(grpc.getWith({ id, consistency: 'strong' })).rejects.toMatchObject({ code: 3 }); // INVALID_ARGUMENT

    // The consumer's own answer. The ID's row was looked up beside the fold (there is none), so the ID
    // is held before any flush: its state comes from memory alone. (A read that comes before that
    // lookup answers EVENTS + the waiting events: the partition-lane integration test.)
    type OwnAnswer = { from: string; foldedUpTo: number; committedUpTo: number; entity: { version: number } };
    const ownAnswer = async () => (await (await fetch(`http://127.0.0.1:${consumerPort}/internal/v1/entities/${encodeURIComponent(id)}`)).json()) as OwnAnswer;
    const own = await waitFor(async () => {
      const answer = await ownAnswer();
      return answer.from === 'memory' && answer;
    }, { what: "the ID's row looked up beside the fold" });
    expect(own).toMatchObject({ from: 'memory', entity: { version: 2 } });
    expect(own.foldedUpTo).toBeGreaterThan(Number(token.split(':')[1]));
    expect(own.committedUpTo).toBeLessThanOrEqual(Number(token.split(':')[1]));
    expect(await storedRow(id)).toBeUndefined(); // reading changed nothing the flush writes
  });

  it('refuses reads of IDs of partitions the consumer does not own, and bad parameters', async () => {
    const group = uniqueName('group-partial');
    const partial = await startSideConsumer(group);
    const unowned = await fetch(`${partial.url}/internal/v1/entities/${idOn(1, 'elsewhere')}`);
    expect(unowned.status).toBe(421);
    expect(await unowned.json()).toMatchObject({ error: { code: 'not_owner', message: expect.stringContaining('partition 1 is not owned by this consumer (it owns [0])') } });
    expect((await fetch(`${partial.url}/internal/v1/entities/${idOn(0, 'here')}`)).status).toBe(200);
    const bad = await fetch(`${partial.url}/internal/v1/entities/x?after=-1`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { violations: [{ field: 'after', rule: 'format' }] } });
    const badProducer = await read('x', 'consistency=fresh&minVersion=01');
    expect(badProducer).toMatchObject({ status: 400, body: { error: { violations: [{ field: 'minVersion', rule: 'format' }] } } });
    expect(await read('x', `consistency=fresh&after=${partitionForKey('x', PARTITIONS) === 0 ? 1 : 0}:0`)).toMatchObject({
      status: 400,
      body: { error: { violations: [{ field: 'after', rule: 'other-partition' }] } },
    });
  });

  it('a fenced (zombie) consumer refuses to serve; the instance that took over serves', async () => {
    const group = uniqueName('group-zombie');
    const id = idOn(0, 'zombie');
    const zombie = await startSideConsumer(group);
    expect((await fetch(`${zombie.url}/internal/v1/entities/${id}`)).status).toBe(200);
    // A second instance claims partition 0 of the same group: OPLOG's epoch moves on. The zombie's
    // periodic claim check is 10 minutes away; the read checks the claim itself.
    const successor = await startSideConsumer(group);
    const refused = await fetch(`${zombie.url}/internal/v1/entities/${id}`);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'fenced', message: expect.stringContaining('taken over by another instance') } });
    expect((await fetch(`${zombie.url}/internal/v1/entities/${id}`)).status).toBe(409); // and stays refused
    expect((await fetch(`${successor.url}/internal/v1/entities/${id}`)).status).toBe(200);
    for (const app of others.splice(0)) await app.stop('SIGKILL');
  });

  it('falls back to the database while the consumer is down, never older than minVersion, and returns to memory after restart', async () => {
    const id = uniqueName('crash');
    const first = await publish({ id, op: 'set', data: { n: 1 } });
    // Folded (the fresh read waits for it), then a clean stop flushes: EVENTS holds version 1.
    // Without the wait, SIGTERM can come before the consumer fetched the record at all.
    expect(await read(id, `consistency=fresh&after=${first}`)).toMatchObject({ status: 200, source: 'memory', body: { version: 1 } });
    expect(await consumer!.stop('SIGTERM')).toBe(0);
    expect((await storedRow(id))?.version).toBe(1);
    consumer = await pipeline.startConsumer({}, { port: consumerPort });

    const token = await publish({ id, op: 'incr', data: { n: 1 } });
    const seen = await read(id, `consistency=fresh&after=${token}`);
    expect(seen).toMatchObject({ status: 200, source: 'memory', body: { state: { n: 2 }, version: 2 } });
    const lastVersion = seen.body.version!;

    await consumer!.stop('SIGKILL'); // version 2 was never flushed
    consumer = undefined;
    const fallback = await read(id, 'consistency=fresh');
    expect(fallback).toMatchObject({ status: 200, source: 'database', body: { state: { n: 1 }, version: 1, source: 'database' } });
    expect(fallback.fallback).toMatch(/owner unreachable/);
    // The client passes the last version it saw: an older state is refused, not returned.
    const refused = await read(id, `consistency=fresh&minVersion=${lastVersion}`);
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'version_not_reached' } } });
    await expect(grpc.getWith({ id, consistency: 'fresh', minVersion: lastVersion })).rejects.toMatchObject({ code: 14 }); // UNAVAILABLE
    expect((await grpc.getWith({ id, consistency: 'fresh' })).source).toBe('database');

    consumer = await pipeline.startConsumer({}, { port: consumerPort });
    const versions: number[] = [];
    await waitFor(
      async () => {
        const answer = await read(id, `consistency=fresh&minVersion=${lastVersion}`);
        if (answer.status === 200) versions.push(answer.body.version!);
        else expect(answer).toMatchObject({ status: 503, body: { error: { code: 'version_not_reached' } } });
        return answer.status === 200 && answer.source === 'memory';
      },
      { timeoutMs: 30_000, what: 'fresh reads to come from memory again' },
    );
    expect(versions.every((v) => v >= lastVersion)).toBe(true);
    expect(await read(id, `consistency=fresh&minVersion=${lastVersion}`)).toMatchObject({ status: 200, source: 'memory', body: { state: { n: 2 }, version: 2 } });
  });
});
