import { EVENT_SERVICE_NAME, loadEventsPackageDefinition } from '@async2/events-proto';
import { type PackageDefinition, loadSync } from '@grpc/proto-loader';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { ServerGrpc } from '@nestjs/microservices';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Nest's GRPC transport for events.v1 (handlers: EventsGrpcController), connected to the HTTP app
 * as a hybrid: `app.connectMicroservice({ strategy })`. Beside EventService it serves the standard
 * health service (grpc.health.v1) and server reflection, both added to the grpc-js server through
 * `onLoadPackageDefinition`, so no guard of Nest's sees them: they never need an API key.
 *
 * What Nest's ServerGrpc leaves out, added here:
 * - the bound port: its createClient drops the port bindAsync answers, and GRPC_PORT=0 (tests)
 *   asks the OS for one, so the server is created and bound here and the log names the real port;
 * - a bounded drain: its `gracefulShutdown` waits for every call without limit (a client holding a
 *   stream open would hold the process), so open calls get SHUTDOWN_GRACE_MS, then are cut.
 * Message size limit: BODY_LIMIT_BYTES, the HTTP body limit.
 */
@Injectable()
export class EventsGrpcTransport extends ServerGrpc implements BeforeApplicationShutdown {
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING', [EVENT_SERVICE_NAME]: 'NOT_SERVING' });
  private readonly log = new Logger('GrpcServer');
  private boundPort = 0;

  constructor(@Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig) {
    super({
      url: hostPort(config.grpc.host, config.grpc.port),
      package: 'events.v1',
      packageDefinition: loadEventsPackageDefinition(),
      onLoadPackageDefinition: (definition: PackageDefinition, server: Server) => {
        this.health.addToServer(server);
        // Reflection describes everything served here, so `grpcurl list` shows the health service too.
        new ReflectionService({ ...definition, ...loadSync(healthProtoPath) }).addToServer(server);
      },
    });
  }

  override async createClient(): Promise<Server> {
    const server = new Server({ 'grpc.max_receive_message_length': this.config.bodyLimitBytes });
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.url, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    return server;
  }

  // Nest adds the services (bindEvents), then the health service says SERVING.
  override async start(callback?: () => void): Promise<void> {
    await super.start();
    this.health.setStatus('', 'SERVING');
    this.health.setStatus(EVENT_SERVICE_NAME, 'SERVING');
    this.log.log(`gRPC listening on ${this.config.grpc.host}:${this.boundPort} (events.v1.EventService, grpc.health.v1, reflection)`);
    callback?.();
  }

  // Before the Kafka producer disconnects: stop taking calls, let running ones finish (bounded).
  async beforeApplicationShutdown(): Promise<void> {
    this.health.setStatus('', 'NOT_SERVING');
    this.health.setStatus(EVENT_SERVICE_NAME, 'NOT_SERVING');
    const server = this.grpcClient as Server | null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
