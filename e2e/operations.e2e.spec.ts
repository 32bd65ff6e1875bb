import type { EventMessage } from '@async2/events-proto';
import { type AppProcess, TestPipeline, freePort } from '@async2/testing';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { EventsGrpcClient, grpcFailure } from './grpc-client';

// The per-field ops (max, min, append, addToSet, removeFromSet) through the built apps on real
// Kafka and PostgreSQL: each sent over HTTP and over gRPC, the row read back after its write token
// on both edges, and in EVENTS.
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
    await pipeline.startConsumer();
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

  it('refuses bad operands on both edges naming field and rule, publishing nothing', async () => {
    const before = await pipeline.endOffsets();
    const http: Array<[object, string, string]> = [
      [{ id: 'bad', op: 'max', data: { n: 'x' } }, '/data/n', 'type'],
      [{ id: 'bad', op: 'append', data: { log: [1] }, keepLast: KEEP_LAST_MAX + 1 }, '/keepLast', 'maximum'],
      [{ id: 'bad', op: 'append', data: { log: [1] }, keepLast: 0 }, '/keepLast', 'minimum'],
      [{ id: 'bad', op: 'addToSet', data: { tags: [{ a: 1 }] } }, '/data/tags/0', 'scalar'],
    ];
    for (const [body, field, rule] of http) {
      const answer = await postHttp(body);
      expect({ status: answer.status, violations: answer.body.error?.violations.map((v) => ({ field: v.field, rule: v.rule })) }).toEqual({ status: 400, violations: [{ field, rule }] });
    }
    const viaGrpc: Array<[Partial<EventMessage>, string, string]> = [
      [{ id: 'bad', op: 'OP_MIN', data: '{"n":[1]}' }, '/data/n', 'type'],
      [{ id: 'bad', op: 'OP_APPEND', data: '{"log":[1]}', keepLast: KEEP_LAST_MAX + 1 }, '/keepLast', 'maximum'],
      [{ id: 'bad', op: 'OP_REMOVE_FROM_SET', data: '{"tags":"a"}' }, '/data/tags', 'type'],
    ];
    for (const [message, field, reason] of viaGrpc) {
      const failure = await grpcFailure(grpc.publish(message));
      expect({ code: failure.code, violations: failure.violations.map((v) => ({ field: v.field, reason: v.reason })) }).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, violations: [{ field, reason }] });
    }
    expect(await pipeline.endOffsets()).toEqual(before);
  });
});
