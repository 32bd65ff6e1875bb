import type { EventMessage } from '@async2/events-proto';
import { type AppProcess, TestPipeline, freePort } from '@async2/testing';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { EventsGrpcClient, grpcFailure } from './grpc-client';

// The per-field ops (max, min, append, addToSet, removeFromSet) and event-time writes (`ts` on set
// and merge) through the built apps on real Kafka and PostgreSQL: each sent over HTTP and over gRPC,
// the row read back after its write token on both edges, and in EVENTS.
const KEEP_LAST_MAX = 4;

type Step = { op: string; data: object; keepLast?: number };
const GRPC_OPS: Record<string, EventMessage['op']> = { set: 'OP_SET', max: 'OP_MAX', min: 'OP_MIN', append: 'OP_APPEND', addToSet: 'OP_ADD_TO_SET', removeFromSet: 'OP_REMOVE_FROM_SET' };

/** Per op: the steps sent to one ID in order, and the state they must leave. */
const SCENARIOS: Array<{ name: string; steps: Step[]; state: object }> = [
  { name: 'max', steps: [{ op: 'set', data: { hi: 5, label: 'x' } }, { op: 'max', data: { hi: 3, fresh: -2 } }, { op: 'max', data: { hi: 9.5 } }], state: { hi: 9.5, fresh: -2, label: 'x' } },
  { name: 'min', steps: [{ op: 'min', data: { lo: 5 } }, { op: 'min', data: { lo: 7 } }, { op: 'min', data: { lo: -1 } }], state: { lo: -1 } },
  // The first append has no keepLast: it gets APPEND_KEEP_LAST_MAX (4), which trims it.
  { name: 'append', steps: [{ op: 'set', data: { log: 'not an array' } }, { op: 'append', data: { log: [1, 2, 3, 4, 5] } }, { op: 'append', data: { log: [{ p: 6 }] }, keepLast: 2 }], state: { log: [5, { p: 6 }] } },
  { name: 'addToSet', steps: [{ op: 'addToSet', data: { tags: ['vip', 'beta', 3] } }, { op: 'addToSet', data: { tags: ['alpha', 'vip', null] } }], state: { tags: [null, 3, 'alpha', 'beta', 'vip'] } },
  { name: 'removeFromSet', steps: [{ op: 'addToSet', data: { tags: ['a', 'b', 'c'] } }, { op: 'removeFromSet', data: { tags: ['b', 'zzz'] } }], state: { tags: ['a', 'c'] } },
];

describe('per-field ops over HTTP and gRPC', () => {
  let pipeline: TestPipeline;
  let producer: AppProcess;
  let consumer: AppProcess;
  let grpc: EventsGrpcClient;

  const postHttp = async (body: object): Promise<{ status: number; body: { token?: string; error?: { violations: Array<{ field: string; rule: string }> } } }> => {
    const response = await fetch(`${producer.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as never };
  };
  const readHttp = async (id: string, after: string) => {
    const response = await fetch(`${producer.url}/v1/entities/${encodeURIComponent(id)}?after=${after}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { state: object; version: number });
  };

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'ops', partitions: 2, consumerEnv: { APPEND_KEEP_LAST_MAX: String(KEEP_LAST_MAX) } });
    const grpcPort = await freePort();
    producer = await pipeline.startProducer({ GRPC_PORT: String(grpcPort), APPEND_KEEP_LAST_MAX: String(KEEP_LAST_MAX), READ_AFTER_TIMEOUT_MS: '20000' });
    consumer = await pipeline.startConsumer();
    grpc = new EventsGrpcClient(`127.0.0.1:${grpcPort}`);
  });

  afterAll(async () => {
    grpc?.close();
    await pipeline?.close();
  });

  it.each(SCENARIOS)('$name over HTTP: each step 202, the row read back holds the folded state', async ({ name, steps, state }) => {
    const id = `ops-http-${name}`;
    let token = '';
    for (const step of steps) {
      const answer = await postHttp({ id, ...step });
      expect(answer.status).toBe(202);
      token = answer.body.token!;
    }
    expect(await readHttp(id, token)).toMatchObject({ state, version: steps.length });
    expect((await pipeline.probe.eventsTable()).get(id)).toMatchObject({ state, version: steps.length, deleted: false });
  });

  it.each(SCENARIOS)('$name over gRPC: each step accepted, Get after the token holds the folded state', async ({ name, steps, state }) => {
    const id = `ops-grpc-${name}`;
    let token = '';
    for (const step of steps) {
      const result = await grpc.publish({ id, op: GRPC_OPS[step.op], data: JSON.stringify(step.data), keepLast: step.keepLast ?? 0 });
      expect(result.status).toBe('RESULT_STATUS_ACCEPTED');
      token = result.token;
    }
    const entity = await grpc.get(id, token);
    expect({ state: JSON.parse(entity.state), version: entity.version }).toEqual({ state, version: steps.length });
    expect(await readHttp(id, token)).toMatchObject({ state });
  });

  // Out of order by event time: the newest value per field wins, whatever order Kafka holds them in.
  const OUT_OF_ORDER: Array<{ op: 'set' | 'merge'; data: object; ts: number }> = [
    { op: 'set', data: { a: 2, b: 2 }, ts: 2000 },
    { op: 'set', data: { a: 1, z: 1 }, ts: 1000 }, // older than every field: ignored whole
    { op: 'merge', data: { b: 3, c: 3 }, ts: 1500 }, // b is newer (2000): kept; c is decided by the set at 2000 (absent)
    { op: 'merge', data: { c: 4, d: 4 }, ts: 2500 },
    { op: 'merge', data: { d: 5 }, ts: 2500 }, // same time: the later in Kafka order wins
  ];
  const OUT_OF_ORDER_STATE = { a: 2, b: 2, c: 4, d: 5 };

  it('ts over HTTP and gRPC: last writer by event time wins per field, ties by Kafka order', async () => {
    let httpToken = '';
    for (const step of OUT_OF_ORDER) {
      const answer = await postHttp({ id: 'ts-http', ...step });
      expect(answer.status).toBe(202);
      httpToken = answer.body.token!;
    }
    expect(await readHttp('ts-http', httpToken)).toMatchObject({ state: OUT_OF_ORDER_STATE, version: OUT_OF_ORDER.length });

    let grpcToken = '';
    for (const step of OUT_OF_ORDER) {
      const result = await grpc.publish({ id: 'ts-grpc', op: step.op === 'set' ? 'OP_SET' : 'OP_MERGE', data: JSON.stringify(step.data), ts: step.ts });
      expect(result.status).toBe('RESULT_STATUS_ACCEPTED');
      grpcToken = result.token;
    }
    expect(JSON.parse((await grpc.get('ts-grpc', grpcToken)).state)).toEqual(OUT_OF_ORDER_STATE);
  });

  it('ts across an owner change: the next consumer loads the field times from EVENTS and still ignores older writes', async () => {
    const first = await postHttp({ id: 'ts-restart', op: 'set', data: { a: 'new' }, ts: 5000 });
    expect(first.status).toBe(202);
    await readHttp('ts-restart', first.body.token!); // after= answers from EVENTS: the row and its field times are flushed
    await consumer.stop('SIGKILL');
    consumer = await pipeline.startConsumer();

    const older = await postHttp({ id: 'ts-restart', op: 'merge', data: { a: 'old', b: 'old' }, ts: 4000 });
    const newer = await postHttp({ id: 'ts-restart', op: 'merge', data: { c: 'newer' }, ts: 6000 });
    expect([older.status, newer.status]).toEqual([202, 202]);
    expect(await readHttp('ts-restart', newer.body.token!)).toMatchObject({ state: { a: 'new', c: 'newer' }, version: 3 });
    const rows = await pipeline.probe.query<{ field_times: unknown }>('SELECT field_times FROM events WHERE id = $1', ['ts-restart']);
    expect(rows).toEqual([{ field_times: { lastSet: 5000, fields: { c: 6000 } } }]);
  });

  it('refuses bad operands on both edges naming field and rule, publishing nothing', async () => {
    const before = await pipeline.endOffsets();
    const http: Array<[object, string, string]> = [
      [{ id: 'bad', op: 'max', data: { n: 'x' } }, '/data/n', 'type'],
      [{ id: 'bad', op: 'append', data: { log: [1] }, keepLast: KEEP_LAST_MAX + 1 }, '/keepLast', 'maximum'],
      [{ id: 'bad', op: 'append', data: { log: [1] }, keepLast: 0 }, '/keepLast', 'minimum'],
      [{ id: 'bad', op: 'addToSet', data: { tags: [{ a: 1 }] } }, '/data/tags/0', 'scalar'],
      [{ id: 'bad', op: 'set', data: { a: 1 }, ts: '2026-01-01' }, '/ts', 'type'],
      [{ id: 'bad', op: 'incr', data: { a: 1 }, ts: 5 }, '/ts', 'forbidden'],
    ];
    for (const [body, field, rule] of http) {
      const answer = await postHttp(body);
      expect({ status: answer.status, violations: answer.body.error?.violations.map((v) => ({ field: v.field, rule: v.rule })) }).toEqual({ status: 400, violations: [{ field, rule }] });
    }
    const viaGrpc: Array<[Partial<EventMessage>, string, string]> = [
      [{ id: 'bad', op: 'OP_MIN', data: '{"n":[1]}' }, '/data/n', 'type'],
      [{ id: 'bad', op: 'OP_APPEND', data: '{"log":[1]}', keepLast: KEEP_LAST_MAX + 1 }, '/keepLast', 'maximum'],
      [{ id: 'bad', op: 'OP_REMOVE_FROM_SET', data: '{"tags":"a"}' }, '/data/tags', 'type'],
      [{ id: 'bad', op: 'OP_MERGE', data: '{"a":1}', ts: 253402300800000 }, '/ts', 'maximum'],
    ];
    for (const [message, field, reason] of viaGrpc) {
      const failure = await grpcFailure(grpc.publish(message));
      expect({ code: failure.code, violations: failure.violations.map((v) => ({ field: v.field, reason: v.reason })) }).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, violations: [{ field, reason }] });
    }
    expect(await pipeline.endOffsets()).toEqual(before);
  });
});
