import { type AppProcess, TestPipeline, freePort, waitFor } from '@async2/testing';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { SseClient } from './changes/sse-client';
import { EventsGrpcClient, grpcFailure } from './grpc-client';

// TTL through the built apps on real Kafka and PostgreSQL: an ID written with a small ttlMs is read
// back, then answers 404 (HTTP, fresh reads, gRPC NOT_FOUND) once it expired, reaches the change
// stream as one deletion (the consumer's sweep), and a later write revives it.
const TTL_MS = 6000;

interface Change {
  id: string;
  version: number;
  deleted: boolean;
  state: object | null;
}

describe('TTL (ttlMs) over HTTP, gRPC and the change stream', () => {
  let pipeline: TestPipeline;
  let producer: AppProcess;
  let grpc: EventsGrpcClient;
  let stream: SseClient;

  const post = async (body: object): Promise<{ status: number; body: { token?: string; error?: { violations: Array<{ field: string; rule: string }> } } }> => {
    const response = await fetch(`${producer.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as never };
  };
  const read = async (id: string, query = ''): Promise<{ status: number; body: { state?: object; version?: number; expiresAt?: string } }> => {
    const response = await fetch(`${producer.url}/v1/entities/${encodeURIComponent(id)}${query}`);
    return { status: response.status, body: (await response.json()) as never };
  };
  const changesOf = (id: string): Change[] => stream.changes().map((e) => JSON.parse(e.data) as Change).filter((c) => c.id === id);

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'ttl', partitions: 2, consumerEnv: { TTL_SWEEP_INTERVAL_MS: '200', CHANGE_RELAY_POLL_MS: '200' } });
    const grpcPort = await freePort();
    producer = await pipeline.startProducer({ GRPC_PORT: String(grpcPort), READ_AFTER_TIMEOUT_MS: '20000' });
    await pipeline.startConsumer();
    grpc = new EventsGrpcClient(`127.0.0.1:${grpcPort}`);
    stream = new SseClient(`${producer.url}/v1/changes?prefix=ttl-`);
    await waitFor(() => stream.events.some((e) => e.event === 'ready'), { what: 'the change stream to be ready' });
  });

  afterAll(async () => {
    await stream?.close();
    grpc?.close();
    await pipeline?.close();
  });

  it('reads the ID until it expires, then 404 everywhere, one deletion in the change stream, and a later write revives it', async () => {
    const id = 'ttl-session';
    const written = await post({ id, op: 'set', data: { user: 'ada' }, ttlMs: TTL_MS });
    expect(written.status).toBe(202);
    const acceptedAt = Date.now();

    // Before the expiry: the owner's memory answers at once (a database read waits for a flush).
    const fresh = await read(id, `?consistency=fresh&after=${written.body.token}`);
    expect(fresh).toMatchObject({ status: 200, body: { state: { user: 'ada' }, version: 1 } });
    const expiresAt = Date.parse(fresh.body.expiresAt ?? '');
    expect(expiresAt).toBeGreaterThan(acceptedAt - 1000);
    expect(expiresAt).toBeLessThanOrEqual(acceptedAt + TTL_MS);
    await waitFor(() => changesOf(id).some((c) => !c.deleted && c.version === 1), { what: 'the write in the change stream' });

    // Expired: the database read, the fresh read and gRPC all say not found; EVENTS holds the tombstone.
    await waitFor(async () => (await read(id)).status === 404, { timeoutMs: TTL_MS + 30_000, what: 'the eventual read to answer 404' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect((await read(id, '?consistency=fresh')).status).toBe(404);
    expect((await grpcFailure(grpc.get(id))).code).toBe(GrpcStatus.NOT_FOUND);
    const deletion = await waitFor(() => changesOf(id).find((c) => c.deleted), { timeoutMs: 30_000, what: 'the expiry as a deletion in the change stream' });
    expect(deletion).toMatchObject({ version: 2, state: null });
    expect((await pipeline.probe.eventsTable()).get(id)).toMatchObject({ deleted: true, version: 2 });
    const [stored] = await pipeline.probe.query<{ expires_at: Date | null }>('SELECT expires_at FROM events WHERE id = $1', [id]);
    expect(stored.expires_at).toBeNull();

    // A later write revives the ID, without an expiry (it named no ttlMs).
    const revived = await post({ id, op: 'merge', data: { user: 'grace' } });
    expect(revived.status).toBe(202);
    const after = await read(id, `?after=${revived.body.token}`);
    expect(after).toMatchObject({ status: 200, body: { state: { user: 'grace' }, version: 3 } });
    expect(after.body).not.toHaveProperty('expiresAt');
    expect(JSON.parse((await grpc.get(id, revived.body.token)).state)).toEqual({ user: 'grace' });
    await waitFor(() => changesOf(id).some((c) => c.version === 3), { timeoutMs: 30_000, what: 'the revival in the change stream' });
    // Sweeps ran every 200 ms meanwhile: the expiry reached the stream exactly once.
    expect(changesOf(id).map((c) => `${c.version}:${c.deleted ? 'deleted' : 'live'}`)).toEqual(['1:live', '2:deleted', '3:live']);
  });

  it('gRPC: ttl_ms sets the expiry (Entity.expires_at); a write with ttlMs moves it', async () => {
    const first = await grpc.publish({ id: 'ttl-grpc', op: 'OP_SET', data: '{"n":1}', ttlMs: 600_000 });
    expect(first.status).toBe('RESULT_STATUS_ACCEPTED');
    const entity = await grpc.get('ttl-grpc', first.token);
    const expiresAt = Date.parse(entity.expiresAt);
    expect(expiresAt).toBeGreaterThan(Date.now() + 500_000);
    const moved = await post({ id: 'ttl-grpc', op: 'incr', data: { n: 1 }, ttlMs: 900_000 });
    const read2 = await read('ttl-grpc', `?after=${moved.body.token}`);
    expect(read2.body.state).toEqual({ n: 2 });
    expect(Date.parse(read2.body.expiresAt ?? '')).toBeGreaterThan(expiresAt);
  });

  it('refuses bad ttlMs on both edges naming field and rule, publishing nothing', async () => {
    const before = await pipeline.endOffsets();
    const http: Array<[object, string]> = [
      [{ id: 'ttl-bad', op: 'set', data: { a: 1 }, ttlMs: 0 }, 'minimum'],
      [{ id: 'ttl-bad', op: 'set', data: { a: 1 }, ttlMs: 315360000001 }, 'maximum'],
      [{ id: 'ttl-bad', op: 'set', data: { a: 1 }, ttlMs: '5s' }, 'type'],
      [{ id: 'ttl-bad', op: 'delete', ttlMs: 1000 }, 'forbidden'],
    ];
    for (const [body, rule] of http) {
      const answer = await post(body);
      expect({ status: answer.status, violations: answer.body.error?.violations.map((v) => ({ field: v.field, rule: v.rule })) }).toEqual({ status: 400, violations: [{ field: '/ttlMs', rule }] });
    }
    for (const [message, reason] of [[{ id: 'ttl-bad', op: 'OP_SET' as const, data: '{"a":1}', ttlMs: -1 }, 'minimum'], [{ id: 'ttl-bad', op: 'OP_DELETE' as const, ttlMs: 5 }, 'forbidden']] as const) {
      const failure = await grpcFailure(grpc.publish(message));
      expect({ code: failure.code, violations: failure.violations.map((v) => ({ field: v.field, reason: v.reason })) }).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, violations: [{ field: '/ttlMs', reason }] });
    }
    expect(await pipeline.endOffsets()).toEqual(before);
  });
});
