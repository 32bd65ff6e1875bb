import { EVENT_SERVICE_NAME, loadEventsPackageDefinition } from '@async2/events-proto';
import { type GrpcObject, Server, ServerCredentials, type ServiceClientConstructor, loadPackageDefinition } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { loadSync } from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { EventsGrpcService } from './events.grpc-service';

const SHUTDOWN_GRACE_MS = 10_000;

/**
 * The gRPC listener beside HTTP in the producer process: events.v1.EventService, the standard
 * health service (grpc.health.v1) and server reflection (both without API keys). A grpc-js server
 * in a provider rather than Nest's GRPC transport, because PublishStream's flow control needs the
 * raw duplex stream (pause/resume, write backpressure) that Nest's Observable mapping hides.
 * Message size limit: BODY_LIMIT_BYTES, the HTTP body limit.
 */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server: Server;
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING', [EVENT_SERVICE_NAME]: 'NOT_SERVING' });
  private readonly logger = new Logger('GrpcServer');
  private boundPort = 0;

  constructor(@Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig, private readonly events: EventsGrpcService) {
    this.server = new Server({ 'grpc.max_receive_message_length': config.bodyLimitBytes });
    const definition = loadEventsPackageDefinition();
    const service = ((loadPackageDefinition(definition).events as GrpcObject).v1 as GrpcObject).EventService as ServiceClientConstructor;
    this.server.addService(service.service, this.events.implementation());
    this.health.addToServer(this.server);
    // Reflection describes everything served here, so `grpcurl list` shows the health service too.
    new ReflectionService({ ...definition, ...loadSync(healthProtoPath) }).addToServer(this.server);
  }

  get port(): number {
    return this.boundPort;
  }

  // After every module initialised (Kafka connected, partition count known), before HTTP listens.
  async onApplicationBootstrap(): Promise<void> {
    const { host, port } = this.config.grpc;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    this.health.setStatus('', 'SERVING');
    this.health.setStatus(EVENT_SERVICE_NAME, 'SERVING');
    this.logger.log(`gRPC listening on ${host}:${this.boundPort} (events.v1.EventService, grpc.health.v1, reflection)`);
  }

  // Before the Kafka producer disconnects: stop taking calls, let running ones finish (bounded).
  async beforeApplicationShutdown(): Promise<void> {
    this.health.setStatus('', 'NOT_SERVING');
    this.health.setStatus(EVENT_SERVICE_NAME, 'NOT_SERVING');
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}
