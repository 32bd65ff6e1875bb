import { hashApiKey } from '@async2/data-access';
import { partitionForKey } from '@async2/domain';
import type { PublishResultMessage } from '@async2/events-proto';
import { type AppProcess, TestPipeline, freePort, readWholeTopic, uniqueName, waitFor } from '@async2/testing';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { EventsGrpcClient, grpcFailure, healthCheck, reflectedServices } from './grpc-client';

// The producer's gRPC edge and API keys on both edges, through the built apps as processes, on
// real Kafka and PostgreSQL, with a real @grpc/grpc-js client.
const PARTITIONS = 4;
const WRITER = 'writer-6bc1bee22e409f96e93d7e117393172a';
const READER = 'reader-ae2d8a571e03ac9c9eb76fac45af8e51';
const API_KEYS = [`ingest:write:${hashApiKey(WRITER).toString('hex')}`, `dashboard:read:${hashApiKey(READER).toString('hex')}`].join(',');

describe('gRPC edge and API keys', () => {
  let pipeline: TestPipeline;
  let producer: AppProcess;
  let grpc: EventsGrpcClient;
  let grpcAddress: string;

  const storedAt = async () => new Map((await readWholeTopic(pipeline.kafka, pipeline.topic)).map((s) => [`${s.partition}:${s.offset}`, s.event]));

  beforeAll(async () => {
    pipeline = await TestPipeline.open({ name: 'grpc', partitions: PARTITIONS });
    const grpcPort = await freePort();
    grpcAddress = `127.0.0.1:${grpcPort}`;
    producer = await pipeline.startProducer({ GRPC_PORT: String(grpcPort), API_KEYS, GRPC_STREAM_MAX_IN_FLIGHT: '256', READ_AFTER_TIMEOUT_MS: '20000' });
    await pipeline.startConsumer();
    grpc = new EventsGrpcClient(grpcAddress);
  });

  afterAll(async () => {
    grpc?.close();
    await pipeline?.close();
  });

  it('Publish, PublishBatch and PublishStream reach EVENTS; Get reads them back after their write tokens', async () => {
    const one = await grpc.publish({ id: 'g-1', op: 'OP_SET', data: JSON.stringify({ name: 'Ada', visits: 1 }) }, WRITER);
    expect(one).toMatchObject({ status: 'RESULT_STATUS_ACCEPTED', partition: partitionForKey('g-1', PARTITIONS), token: `${one.partition}:${one.offset}` });

    const batch = await grpc.publishBatch(
      [
        { id: 'g-1', op: 'OP_INCR', data: JSON.stringify({ visits: 2 }) },
        { id: 'g-2', op: 'OP_SET', data: JSON.stringify({ n: 1 }), eventId: 'b-1' },
      ],
      WRITER,
    );
    expect(batch).toMatchObject({ accepted: 2, rejected: 0, results: [{ status: 'RESULT_STATUS_ACCEPTED' }, { status: 'RESULT_STATUS_ACCEPTED' }] });

    const stream = grpc.publishStream(WRITER);
    const answers: PublishResultMessage[] = [];
    stream.on('data', (a: PublishResultMessage) => answers.push(a));
    const closed = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
    stream.write({ id: 'g-2', op: 'OP_MERGE', data: JSON.stringify({ city: 'London' }) });
    stream.write({ id: 'g-3', op: 'OP_SET', data: JSON.stringify({ ok: true }) });
    stream.end();
    await closed;
    expect(answers.map((a) => a.status)).toEqual(['RESULT_STATUS_ACCEPTED', 'RESULT_STATUS_ACCEPTED']);

    expect(JSON.parse((await grpc.get('g-1', batch.results[0].token, READER)).state)).toEqual({ name: 'Ada', visits: 3 });
    const g2 = await grpc.get('g-2', answers[0].token, READER);
    expect({ ...g2, state: JSON.parse(g2.state) }).toMatchObject({ id: 'g-2', state: { n: 1, city: 'London' }, version: 2, partition: answers[0].partition, offset: answers[0].offset });
    expect(JSON.parse((await grpc.get('g-3', answers[1].token, READER)).state)).toEqual({ ok: true });
    const rows = await pipeline.probe.eventsTable();
    expect(rows.get('g-3')).toMatchObject({ state: { ok: true }, version: 1 });
  });

  it('answers bad input with INVALID_ARGUMENT and BadRequest field violations, publishing nothing; unknown IDs with NOT_FOUND', async () => {
    const before = await pipeline.endOffsets();
    const cases: Array<[Promise<unknown>, string, string]> = [
      [grpc.publish({ id: 'x', op: 'OP_INCR', data: JSON.stringify({ n: 'one' }) }, WRITER), '/data/n', 'type'],
      [grpc.publish({ id: 'x', op: 'OP_SET' }, WRITER), '/data', 'required'],
      [grpc.publish({ id: 'x', op: 'OP_UNSPECIFIED' }, WRITER), '/op', 'required'],
      [grpc.publish({ id: 'x', op: 'OP_MERGE', data: '{"a":{"__proto__":{"polluted":true}}}' }, WRITER), '/data/a/__proto__', 'forbidden-key'],
      [grpc.publish({ id: 'x', op: 'OP_SET', data: '{"n":1e400}' }, WRITER), '/data/n', 'finite-number'],
      [grpc.publish({ id: 'x', op: 'OP_SET', data: '{"n":' }, WRITER), '/data', 'json-syntax'],
      [grpc.publishBatch([{ id: 'ok', op: 'OP_DELETE' }, { id: 'ok', op: 'OP_DELETE' }, { id: 'a'.repeat(257), op: 'OP_DELETE' }], WRITER), '/events/2/id', 'max-bytes'],
      [grpc.get('x', '1:-1', READER), 'after', 'format'],
    ];
    for (const [call, field, reason] of cases) {
      const failure = await grpcFailure(call);
      expect(failure.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(failure.violations).toContainEqual(expect.objectContaining({ field, reason }));
    }
    expect(await grpcFailure(grpc.get('never-written', '', READER))).toMatchObject({ code: GrpcStatus.NOT_FOUND });
    expect(await pipeline.endOffsets()).toEqual(before);
  });

  it('streams 10,000 events with one result per event, in order, each where Kafka stored it', async () => {
    const count = 10_000;
    const events = Array.from({ length: count }, (_, i) =>
      i % 1000 === 500 ? { id: `s-${i % 97}`, op: 'OP_SET' as const } : { id: `s-${i % 97}`, op: 'OP_INCR' as const, data: JSON.stringify({ n: 1 }), eventId: `e-${i}` },
    );
    const stream = grpc.publishStream(WRITER);
    const answers: PublishResultMessage[] = [];
    stream.on('data', (a: PublishResultMessage) => answers.push(a));
    const closed = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
    for (const event of events) {
      if (!stream.write(event)) await new Promise((resolve) => stream.once('drain', resolve)); // the server's flow control reaches us here
    }
    stream.end();
    await closed;

    expect(answers).toHaveLength(count);
    const stored = await storedAt();
    const lastOffset = new Map<number, number>();
    answers.forEach((answer, i) => {
      if (i % 1000 === 500) {
        expect(answer).toMatchObject({ status: 'RESULT_STATUS_INVALID', error: { violations: [{ field: '/data', rule: 'required' }] } });
        return;
      }
      expect(answer.status).toBe('RESULT_STATUS_ACCEPTED');
      expect(answer.partition).toBe(partitionForKey(events[i].id, PARTITIONS));
      expect(answer.offset).toBeGreaterThan(lastOffset.get(answer.partition) ?? -1); // order kept per partition
      lastOffset.set(answer.partition, answer.offset);
      expect(stored.get(answer.token)).toMatchObject({ id: events[i].id, eventId: events[i].eventId });
    });
  });

  it('a client that goes away mid-stream: every acknowledgement it got is in Kafka, nothing twice, and the edge keeps serving', async () => {
    const before = await pipeline.endOffsets();
    const stream = grpc.publishStream(WRITER);
    const answers: PublishResultMessage[] = [];
    stream.on('error', () => undefined); // CANCELLED, our own doing
    const gotSome = new Promise<void>((resolve) =>
      stream.on('data', (a: PublishResultMessage) => {
        answers.push(a);
        if (answers.length === 300) {
          stream.cancel();
          resolve();
        }
      }),
    );
    const sent: string[] = [];
    for (let i = 0; i < 5000 && !stream.destroyed; i++) {
      sent.push(`gone-${i}`);
      if (!stream.write({ id: `gone-${i % 50}`, op: 'OP_SET', data: JSON.stringify({ i }), eventId: `gone-${i}` })) {
        await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), gotSome]);
      }
    }
    await gotSome;
    // Whatever the server still had in flight lands (or not) in Kafka; let the producer settle.
    await waitFor(async () => (await grpc.publish({ id: 'after-cancel', op: 'OP_DELETE' }, WRITER)).status === 'RESULT_STATUS_ACCEPTED', { timeoutMs: 30_000, what: 'the edge to serve again' });

    const stored = await readWholeTopic(pipeline.kafka, pipeline.topic);
    const fresh = stored.filter((s) => s.offset >= (before.get(s.partition) ?? 0) && s.event.eventId?.startsWith('gone-'));
    const byPosition = new Map(fresh.map((s) => [`${s.partition}:${s.offset}`, s.event]));
    expect(answers.length).toBeGreaterThanOrEqual(300);
    answers.forEach((answer, i) => {
      expect(answer.status).toBe('RESULT_STATUS_ACCEPTED');
      expect(byPosition.get(answer.token)).toMatchObject({ eventId: `gone-${i}` });
    });
    const eventIds = fresh.map((s) => s.event.eventId);
    expect(new Set(eventIds).size).toBe(eventIds.length); // nothing published twice
    const sentIds = new Set(sent);
    expect(eventIds.filter((id) => !sentIds.has(id!))).toEqual([]); // only what the client sent, at most once
  });

  it('HTTP: 401 without or with a wrong key, 403 with the wrong scope, and publishes nothing; health and metrics stay open', async () => {
    const before = await pipeline.endOffsets();
    const post = (key?: string) =>
      fetch(`${producer.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ id: 'auth-http', op: 'set', data: { by: key ?? 'nobody' } }),
      });
    const noKey = await post();
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('www-authenticate')).toBe('Bearer');
    expect(await noKey.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    expect((await post('not-a-key')).status).toBe(401);
    const wrongScope = await post(READER);
    expect(wrongScope.status).toBe(403);
    expect(await wrongScope.json()).toMatchObject({ error: { code: 'permission_denied', message: expect.stringContaining('"write"') } });
    const batch = await fetch(`${producer.url}/v1/events:batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [{ id: 'a', op: 'delete' }] }) });
    expect(batch.status).toBe(401);
    expect(await pipeline.endOffsets()).toEqual(before);

    const accepted = await post(WRITER);
    expect(accepted.status).toBe(202);
    const { token } = (await accepted.json()) as { token: string };
    expect((await fetch(`${producer.url}/v1/entities/auth-http?after=${token}`, { headers: { authorization: `Bearer ${WRITER}` } })).status).toBe(403);
    expect((await fetch(`${producer.url}/v1/entities/auth-http?after=${token}`)).status).toBe(401);
    const read = await fetch(`${producer.url}/v1/entities/auth-http?after=${token}`, { headers: { authorization: `Bearer ${READER}` } });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ state: { by: WRITER } });

    expect((await fetch(`${producer.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${producer.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${producer.url}/metrics`)).status).toBe(200);
  });

  it('gRPC: UNAUTHENTICATED without or with a wrong key, PERMISSION_DENIED with the wrong scope; health and reflection stay open', async () => {
    const before = await pipeline.endOffsets();
    const event = { id: 'auth-grpc', op: 'OP_SET' as const, data: '{"n":1}' };
    expect(await grpcFailure(grpc.publish(event))).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
    expect(await grpcFailure(grpc.publish(event, 'not-a-key'))).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
    expect(await grpcFailure(grpc.publish(event, READER))).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED });
    expect(await grpcFailure(grpc.publishBatch([event], READER))).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED });
    const stream = grpc.publishStream();
    const streamFailure = new Promise<{ code: number }>((resolve) => stream.on('error', resolve));
    stream.on('data', () => undefined);
    stream.write(event);
    stream.end();
    expect(await streamFailure).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
    expect(await pipeline.endOffsets()).toEqual(before);

    const ok = await grpc.publish(event, WRITER);
    expect(await grpcFailure(grpc.get('auth-grpc', ok.token, WRITER))).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED });
    expect(await grpcFailure(grpc.get('auth-grpc', ok.token))).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
    expect(JSON.parse((await grpc.get('auth-grpc', ok.token, READER)).state)).toEqual({ n: 1 });

    expect(await healthCheck(grpcAddress)).toBe('SERVING');
    expect(await healthCheck(grpcAddress, 'events.v1.EventService')).toBe('SERVING');
    expect(await reflectedServices(grpcAddress)).toEqual(expect.arrayContaining(['events.v1.EventService', 'grpc.health.v1.Health']));
  });

  it('RESOURCE_EXHAUSTED when too many events wait for Kafka, UNAVAILABLE when Kafka cannot take them', async () => {
    const lonely = uniqueName('events-grpc-gone');
    const grpcPort = await freePort();
    const fragile = await pipeline.startProducer({
      KAFKA_TOPIC: lonely,
      GRPC_PORT: String(grpcPort),
      PRODUCE_MAX_PENDING_EVENTS: '5',
      PRODUCE_TIMEOUT_MS: '1000',
    });
    const client = new EventsGrpcClient(`127.0.0.1:${grpcPort}`);
    try {
      const six = Array.from({ length: 6 }, (_, i) => ({ id: `r-${i}`, op: 'OP_DELETE' as const }));
      expect(await grpcFailure(client.publishBatch(six))).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
      expect((await pipeline.endOffsets(lonely)).get(0)).toBe(0);

      await pipeline.admin.deleteTopics({ topics: [lonely, `${lonely}.dlq`] }); // Kafka can no longer take its events
      expect(await grpcFailure(client.publish({ id: 'u-1', op: 'OP_DELETE' }))).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
      expect(await grpcFailure(client.publishBatch([{ id: 'u-2', op: 'OP_DELETE' }]))).toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    } finally {
      client.close();
      await fragile.stop('SIGKILL');
      await pipeline.admin.deleteTopics({ topics: [lonely, `${lonely}.dlq`, `${lonely}.changes`] }).catch(() => undefined);
    }
  });

  it('GRPC_PORT=0: serves gRPC on the port the system gave it, and names that port in its log', async () => {
    const anyPort = await pipeline.startProducer({ GRPC_PORT: '0' });
    const port = anyPort.logs.map((line) => /gRPC listening on [^ ]+:(\d+) /.exec(line)?.[1]).find(Boolean);
    expect(Number(port)).toBeGreaterThan(0);
    expect(await healthCheck(`127.0.0.1:${port}`)).toBe('SERVING');
    expect(await anyPort.stop('SIGTERM')).toBe(0);
  });

  it('SIGTERM while a stream is open: the stream is served to its end, every answer is in Kafka, then the producer exits 0', async () => {
    const grpcPort = await freePort();
    const draining = await pipeline.startProducer({ GRPC_PORT: String(grpcPort) });
    const client = new EventsGrpcClient(`127.0.0.1:${grpcPort}`);
    try {
      const stream = client.publishStream();
      const answers: PublishResultMessage[] = [];
      stream.on('data', (a: PublishResultMessage) => answers.push(a));
      const closed = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
      const send = (from: number, to: number) => {
        for (let i = from; i < to; i++) stream.write({ id: `drain-${i % 20}`, op: 'OP_SET', data: JSON.stringify({ i }), eventId: `drain-${i}` });
      };
      send(0, 100);
      await waitFor(() => answers.length === 100, { timeoutMs: 30_000, what: 'the answers sent before the signal' });

      const exited = draining.stop('SIGTERM');
      // The server stops taking calls (new connections fail or see NOT_SERVING) but serves this one.
      await waitFor(async () => (await healthCheck(`127.0.0.1:${grpcPort}`).catch(() => 'gone')) !== 'SERVING', { timeoutMs: 10_000, what: 'the drain to begin' });
      send(100, 200);
      stream.end();
      await closed;

      expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 200 }, () => 'RESULT_STATUS_ACCEPTED'));
      const stored = await storedAt();
      answers.forEach((answer, i) => expect(stored.get(answer.token)).toMatchObject({ id: `drain-${i % 20}`, eventId: `drain-${i}` }));
      expect(await exited).toBe(0);
    } finally {
      client.close();
    }
  });
});
