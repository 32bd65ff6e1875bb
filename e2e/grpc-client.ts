import { type EntityMessage, type EventMessage, type GetRequestMessage, type PublishBatchResponseMessage, type PublishResultMessage, type VerdictMessage, decodeBadRequestStatus, loadEventsPackageDefinition } from '@async2/events-proto';
import { type Client, type ClientDuplexStream, type GrpcObject, Metadata, type ServiceClientConstructor, type ServiceError, credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** A real @grpc/grpc-js client of events.v1.EventService, as a user of the proto lib writes one. */
export class EventsGrpcClient {
  readonly raw: Client & Record<string, (...args: unknown[]) => unknown>;

  constructor(readonly address: string) {
    const pkg = loadPackageDefinition(loadEventsPackageDefinition());
    const Service = ((pkg.events as GrpcObject).v1 as GrpcObject).EventService as ServiceClientConstructor;
    this.raw = new Service(address, credentials.createInsecure()) as EventsGrpcClient['raw'];
  }

  publish(event: Partial<EventMessage>, key?: string): Promise<PublishResultMessage> {
    return this.unary('Publish', event, key);
  }

  publishBatch(events: Array<Partial<EventMessage>>, key?: string): Promise<PublishBatchResponseMessage> {
    return this.unary('PublishBatch', { events }, key);
  }

  get(id: string, after = '', key?: string): Promise<EntityMessage> {
    return this.unary('Get', { id, after }, key);
  }

  /** Get with every field of GetRequest (consistency, min_version). */
  getWith(request: Partial<GetRequestMessage> & { id: string }, key?: string): Promise<EntityMessage> {
    return this.unary('Get', request, key);
  }

  /** GetVerdict: the verdict of the conditional event at a write token. */
  getVerdict(token: string, key?: string): Promise<VerdictMessage> {
    return this.unary('GetVerdict', { token }, key);
  }

  publishStream(key?: string): ClientDuplexStream<Partial<EventMessage>, PublishResultMessage> {
    return (this.raw.PublishStream as (m: Metadata) => ClientDuplexStream<Partial<EventMessage>, PublishResultMessage>)(withKey(key));
  }

  close(): void {
    this.raw.close();
  }

  private unary<T>(method: string, request: unknown, key?: string): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      (this.raw[method] as (r: unknown, m: Metadata, cb: (e: ServiceError | null, v: T) => void) => void)(request, withKey(key), (error, value) => (error ? reject(error) : resolve(value))),
    );
  }
}

export function withKey(key?: string): Metadata {
  const metadata = new Metadata();
  if (key !== undefined) metadata.set('authorization', `Bearer ${key}`);
  return metadata;
}

/** The error a call failed with: code, details, and the google.rpc.BadRequest violations of its trailer. */
export async function grpcFailure(call: Promise<unknown>): Promise<{ code: number; details: string; violations: Array<{ field: string; reason: string }> }> {
  const error = (await call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: ServiceError) => e,
  )) as ServiceError;
  const [details] = error.metadata?.get('grpc-status-details-bin') ?? [];
  return { code: error.code, details: error.details, violations: details ? decodeBadRequestStatus(details as Buffer).violations : [] };
}

/** grpc.health.v1.Health/Check, as Kubernetes' gRPC probe and grpc_health_probe call it. */
export function healthCheck(address: string, service = ''): Promise<string> {
  const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
  const Health = (((pkg.grpc as GrpcObject).health as GrpcObject).v1 as GrpcObject).Health as ServiceClientConstructor;
  const client = new Health(address, credentials.createInsecure());
  return new Promise<string>((resolve, reject) =>
    (client as unknown as { check: (r: unknown, cb: (e: Error | null, v: { status: string }) => void) => void }).check({ service }, (error, value) => {
      client.close();
      return error ? reject(error) : resolve(value.status);
    }),
  );
}

/** grpc.reflection.v1 ServerReflectionInfo list_services, as grpcurl's `list` does. */
export function reflectedServices(address: string): Promise<string[]> {
  const protoPath = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
  const pkg = loadPackageDefinition(loadSync(protoPath, { keepCase: true }));
  const Reflection = ((((pkg.grpc as GrpcObject).reflection as GrpcObject).v1 as GrpcObject).ServerReflection as ServiceClientConstructor);
  const client = new Reflection(address, credentials.createInsecure());
  const call = (client as unknown as { ServerReflectionInfo: () => ClientDuplexStream<unknown, { list_services_response?: { service: Array<{ name: string }> } }> }).ServerReflectionInfo();
  return new Promise<string[]>((resolve, reject) => {
    call.on('data', (answer: { list_services_response?: { service: Array<{ name: string }> } }) => {
      resolve((answer.list_services_response?.service ?? []).map((s) => s.name));
      call.end();
      client.close();
    });
    call.on('error', reject);
    call.write({ list_services: '' });
  });
}
