import { type AppProcess, TestPipeline, freePort } from '@async2/testing';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { EventsGrpcClient, grpcFailure } from './grpc-client';

// Conditional events (`if`) and their durable verdicts through the built apps on real Kafka and
// PostgreSQL: optimistic concurrency (writers that read the same version race; exactly one wins),
// GET /v1/events/{partition}:{offset} and gRPC GetVerdict, and the same verdicts after the consumer
// is killed and another one folds on.

type Answer = { status: number; body: Record<string, unknown> & { token?: string; error?: { code: string; violations: Array<{ field: string; rule: string }> } } };

describe('conditional events and their verdicts', () => {
  let pipeline: TestPipeline;
  let producer: AppProcess;
  let consumer: AppProcess;
  let grpc: EventsGrpcClient;

  const post = async (body: object): Promise<Answer> => {
    const response = await fetch(`${producer.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  };
  const verdict = async (token: string): Promise<Answer> => {
    const response = await fetch(`${producer.url}/v1/events/${token}`);
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  };
  const entity = async (id: string, after: string) => (await fetch(`${producer.url}/v1/entities/${id}?after=${after}`)).json() as Promise<{ state: Record<string, unknown>; version: number }>;

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'conditional', partitions: 2 });
    const grpcPort = await freePort();
    producer = await pipeline.startProducer({ GRPC_PORT: String(grpcPort), READ_AFTER_TIMEOUT_MS: '20000' });
    consumer = await pipeline.startConsumer({ FLUSH_INTERVAL_MS: '100' });
    grpc = new EventsGrpcClient(`127.0.0.1:${grpcPort}`);
  });

  afterAll(async () => {
    grpc?.close();
    await pipeline?.close();
  });

  it('optimistic concurrency: two writers with the same expected version, exactly one applied, every round', async () => {
    const id = 'occ-account';
    const created = await post({ id, op: 'set', data: { balance: 100, by: 'nobody' }, if: { absent: true } });
    expect(created.status).toBe(202);
    expect((await verdict(created.body.token!)).body).toMatchObject({ verdict: 'applied', seenVersion: 0, token: created.body.token });
    let { version } = await entity(id, created.body.token!);
    for (let round = 0; round < 6; round++) {
      // Both read `version`, both write with if {version}; one over HTTP, one over gRPC, at once.
      const [http, viaGrpc] = await Promise.all([
        post({ id, op: 'merge', data: { by: `http-${round}` }, if: { version } }),
        grpc.publish({ id, op: 'OP_MERGE', data: JSON.stringify({ by: `grpc-${round}` }), condition: { version } }),
      ]);
      expect(http.status).toBe(202);
      expect(viaGrpc.status).toBe('RESULT_STATUS_ACCEPTED');
      const [a, b] = [(await verdict(http.body.token!)).body, await grpc.getVerdict(viaGrpc.token)];
      const outcomes = [a.verdict, b.outcome].sort();
      expect(outcomes).toEqual(['applied', 'rejected']);
      const loser = a.verdict === 'rejected' ? a : { seenVersion: b.seenVersion, reason: b.reason };
      expect(loser).toMatchObject({ seenVersion: version + 1, reason: 'condition' }); // it saw the winner's write
      const winner = a.verdict === 'applied' ? `http-${round}` : `grpc-${round}`;
      const after = await entity(id, a.verdict === 'applied' ? http.body.token! : viaGrpc.token);
      expect(after).toMatchObject({ version: version + 1, state: { balance: 100, by: winner } });
      version = after.version;
    }
    // A create-only write on a live ID and an update-only write on an unknown one are rejected.
    const again = await post({ id, op: 'set', data: { balance: 0 }, if: { absent: true } });
    expect((await verdict(again.body.token!)).body).toMatchObject({ verdict: 'rejected', seenVersion: version, reason: 'condition' });
    const missing = await post({ id: 'occ-never', op: 'merge', data: { x: 1 }, if: { present: true } });
    expect((await verdict(missing.body.token!)).body).toMatchObject({ verdict: 'rejected', seenVersion: 0, reason: 'condition' });
    expect((await pipeline.probe.eventsTable()).get(id)).toMatchObject({ version, state: { balance: 100 } });
    expect((await pipeline.probe.eventsTable()).has('occ-never')).toBe(false);
  });

  it('answers 404 no_verdict for an unconditional event, 400 for a malformed or unwritten token', async () => {
    const plain = await post({ id: 'plain-1', op: 'set', data: { a: 1 } });
    const none = await verdict(plain.body.token!);
    expect(none).toMatchObject({ status: 404, body: { error: { code: 'no_verdict' } } });
    expect((await verdict('0-5')).body.error?.violations).toEqual([{ field: 'token', rule: 'format', message: expect.any(String) }]);
    expect((await verdict('9:0')).body.error?.violations).toEqual([{ field: 'token', rule: 'unknown-partition', message: expect.any(String) }]);
    expect((await verdict('0:99999999')).body.error?.violations).toEqual([{ field: 'token', rule: 'past-end', message: expect.any(String) }]);
    expect((await grpcFailure(grpc.getVerdict(plain.body.token!))).code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('refuses a bad if on both edges naming field and rule, publishing nothing', async () => {
    const before = await pipeline.endOffsets();
    const bad = await post({ id: 'bad-if', op: 'set', data: {}, if: { version: 1, present: true } });
    expect(bad).toMatchObject({ status: 400, body: { error: { violations: [{ field: '/if', rule: 'one-of' }] } } });
    expect((await post({ id: 'bad-if', op: 'delete', if: { version: -1 } })).body.error?.violations).toMatchObject([{ field: '/if/version', rule: 'minimum' }]);
    const grpcBad = await grpcFailure(grpc.publish({ id: 'bad-if', op: 'OP_SET', data: '{}', condition: { absent: false } }));
    expect(grpcBad).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, violations: [{ field: '/if/absent', reason: 'const' }] });
    const grpcEmpty = await grpcFailure(grpc.publish({ id: 'bad-if', op: 'OP_SET', data: '{}', condition: {} }));
    expect(grpcEmpty).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, violations: [{ field: '/if', reason: 'one-of' }] });
    expect(await pipeline.endOffsets()).toEqual(before);
  });

  it('a verdict is the same after the consumer is killed and another one folds on', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 10; i++) tokens.push((await post({ id: `kill-${i % 3}`, op: 'incr', data: { n: 1 }, if: i % 2 === 0 ? { present: true } : { absent: true } })).body.token!);
    const before = await Promise.all(tokens.map(async (t) => (await verdict(t)).body));
    const decided = (b: Answer['body']) => [b.verdict, b.seenVersion];
    expect(before.map(decided)).toEqual([
      ['rejected', 0], ['applied', 0], ['rejected', 0], ['applied', 0], ['applied', 1],
      ['applied', 0], ['applied', 1], ['rejected', 2], ['applied', 1], ['rejected', 2],
    ]);
    await consumer.stop('SIGKILL');
    // Unapplied work for the next owner too: its verdicts are decided from the state the first one committed.
    const later = (await post({ id: 'kill-0', op: 'incr', data: { n: 1 }, if: { version: 2 } })).body.token!;
    consumer = await pipeline.startConsumer({ FLUSH_INTERVAL_MS: '100' });
    expect(await Promise.all(tokens.map(async (t) => (await verdict(t)).body))).toEqual(before);
    expect((await verdict(later)).body).toMatchObject({ verdict: 'applied', seenVersion: 2 });
    expect((await pipeline.probe.eventsTable()).get('kill-0')).toMatchObject({ version: 3, state: { n: 3 } });
  });
});
