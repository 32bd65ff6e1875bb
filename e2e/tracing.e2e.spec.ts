import { type AppProcess, type OtlpReceiver, type ReceivedSpan, TestPipeline, freePort, renderSpanTree, startOtlpReceiver, waitFor } from '@async2/testing';
import { EventsGrpcClient } from './grpc-client';

// One event over HTTP, traced through both built apps into a test OTLP/HTTP receiver that decodes
// the real protobuf export: the producer's request and produce spans, and the consumer's process
// and flush spans linked to the event's span through the W3C context in the Kafka record headers.
describe('tracing end to end', () => {
  let pipeline: TestPipeline;
  let topic: string;
  let receiver: OtlpReceiver;
  let producer: AppProcess;
  let grpcPort: number;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    pipeline = await TestPipeline.open({ name: 'trace', partitions: 2, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' } });
    topic = pipeline.topic;
    grpcPort = await freePort();
    producer = await pipeline.startProducer({ GRPC_PORT: String(grpcPort) });
    await pipeline.startConsumer();
  });

  afterAll(async () => {
    await pipeline?.close();
    await receiver?.close();
  });

  it('follows one event from the HTTP request to the flush that made it durable', async () => {
    const response = await fetch(`${producer.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'traced-1', op: 'set', data: { hello: 'trace' } }),
    });
    expect(response.status).toBe(202);
    const { partition, offset } = (await response.json()) as { partition: number; offset: number };

    const spanNamed = (service: string, name: string, where: (s: ReceivedSpan) => boolean = () => true) =>
      receiver.spans.find((s) => s.service === service && s.name === name && where(s));
    const server = await waitFor(() => spanNamed('producer', 'POST /v1/events'), { timeoutMs: 30_000, what: 'the producer server span' });
    const create = await waitFor(() => spanNamed('producer', `create ${topic}`, (s) => s.traceId === server.traceId), { timeoutMs: 30_000, what: 'the create span' });
    const links = (s: ReceivedSpan) => s.links.some((l) => l.traceId === create.traceId && l.spanId === create.spanId);
    const send = await waitFor(() => spanNamed('producer', `send ${topic}`, links), { timeoutMs: 30_000, what: 'the send span' });
    const processSpan = await waitFor(() => spanNamed('consumer', `process ${topic}`, links), { timeoutMs: 30_000, what: 'the consumer process span' });
    const flush = await waitFor(() => spanNamed('consumer', `flush ${topic}`, links), { timeoutMs: 30_000, what: 'the flush span linking to the event' });

    // The request's trace: server span -> (Fastify's request/handler spans) -> create, which the record carries.
    expect(server.kind).toBe('server');
    expect(create.kind).toBe('producer');
    expect(create.traceId).toBe(server.traceId);
    expect(create.attributes).toMatchObject({ 'messaging.destination.partition.id': String(partition), 'messaging.kafka.offset': offset });
    expect(send.kind).toBe('client');
    expect(processSpan.kind).toBe('consumer');
    expect(processSpan.attributes).toMatchObject({ 'messaging.destination.partition.id': String(partition) });

    // The flush: the transaction with its facts; its SQL statements are its children.
    expect(flush.attributes).toMatchObject({
      'messaging.destination.partition.id': String(partition),
      'async2.flush.rows': 1,
      'async2.flush.events': 1,
      'async2.offset.first': offset,
      'async2.offset.last': offset,
      'async2.epoch': 1,
      'async2.flush.outcome': 'committed',
    });
    await waitFor(() => receiver.spans.some((s) => s.service === 'consumer' && s.parentSpanId === flush.spanId && s.scope.includes('pg')), {
      timeoutMs: 30_000,
      what: 'pg spans under the flush span',
    });

    // Trace and span IDs in the JSON logs: the producer's request log carries the server span's trace.
    await waitFor(() => producer.logs.some((line) => line.includes(`"trace_id":"${server.traceId}"`) && line.includes('/v1/events')), {
      timeoutMs: 10_000,
      what: 'a producer log line with the trace id',
    });
    expect(receiver.errors).toEqual([]);

    if (process.env.PRINT_TRACE === '1') {
      const related = receiver.spans.filter(
        (s) => s.traceId === server.traceId || [send.traceId, processSpan.traceId, flush.traceId].includes(s.traceId),
      );
      const keys = ['http.route', 'http.response.status_code', 'messaging.destination.partition.id', 'messaging.kafka.offset', 'messaging.batch.message_count', 'async2.flush.rows', 'async2.flush.events', 'async2.offset.first', 'async2.offset.last', 'async2.epoch', 'db.query.text'];
      console.log(renderSpanTree(related, () => keys));
    }
  });

  it('traces a gRPC Publish: the server span of events.v1.EventService/Publish holds the create span of its record', async () => {
    const client = new EventsGrpcClient(`127.0.0.1:${grpcPort}`);
    const result = await client.publish({ id: 'traced-grpc', op: 'OP_SET', data: JSON.stringify({ hello: 'grpc' }) }).finally(() => client.close());
    expect(result.status).toBe('RESULT_STATUS_ACCEPTED');

    const server = await waitFor(() => receiver.spans.find((s) => s.service === 'producer' && s.name === 'grpc.events.v1.EventService/Publish'), { timeoutMs: 30_000, what: 'the gRPC server span' });
    expect(server.kind).toBe('server');
    expect(server.attributes).toMatchObject({ 'rpc.system': 'grpc', 'rpc.service': 'events.v1.EventService', 'rpc.method': 'Publish', 'rpc.grpc.status_code': 0 });
    const create = await waitFor(() => receiver.spans.find((s) => s.name === `create ${topic}` && s.traceId === server.traceId), { timeoutMs: 30_000, what: 'the create span in the gRPC trace' });
    expect(create.attributes).toMatchObject({ 'messaging.destination.partition.id': String(result.partition), 'messaging.kafka.offset': result.offset });
    expect(receiver.errors).toEqual([]);
  });
});
