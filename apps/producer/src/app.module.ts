import { DatabaseModule, KafkaConnections, KafkaHealthIndicator, MetricsController, SHARED_SETTINGS, structuredLogger } from '@async2/platform';
import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ParkedAdminService } from './admin/parked-admin.service';
import { ParkedController } from './admin/parked.controller';
import { ApiKeyChecker } from './auth/api-key-checker.service';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ChangeStreamService } from './changes/change-stream.service';
import { ChangesController } from './changes/changes.controller';
import { PRODUCER_CONFIG, loadProducerConfig } from './config/producer.config';
import { EventsGrpcController } from './grpc/events.grpc-controller';
import { EventsGrpcTransport } from './grpc/events-grpc.transport';
import { EventsController } from './ingest/events.controller';
import { KafkaPublisher } from './ingest/kafka-publisher.service';
import { PartitionMap } from './ingest/partition-map.service';
import { PublishService } from './ingest/publish.service';
import { HealthController } from './platform/health.controller';
import { HttpErrorFilter } from './platform/http-error.filter';
import { EntitiesController } from './read/entities.controller';
import { FreshReadService } from './read/fresh-read.service';
import { OplogWatcher } from './read/oplog-watcher.service';
import { OwnerReadClient } from './read/owner-read.client';
import { PipelineLagSource } from './read/pipeline-lag.source';
import { ReadService } from './read/read.service';
import { VerdictReadService } from './read/verdict-read.service';
import { VerdictsController } from './read/verdicts.controller';

@Global()
@Module({
  providers: [
    { provide: PRODUCER_CONFIG, useFactory: () => loadProducerConfig() },
    { provide: SHARED_SETTINGS, useExisting: PRODUCER_CONFIG },
  ],
  exports: [PRODUCER_CONFIG, SHARED_SETTINGS],
})
class ConfigModule {}

/**
 * The producer's data path: HTTP and gRPC (grpc/: Nest's GRPC transport, connected in main.ts) ->
 * API key check (auth/) -> validate -> stamp -> partition (murmur2) -> Kafka (ingest/), EVENTS/OPLOG
 * -> HTTP and gRPC (read/), parked IDs -> operators (admin/), and the change topic -> SSE subscribers, EVENTS -> snapshot pages (changes/).
 */
@Module({
  imports: [ConfigModule, structuredLogger('producer'), DatabaseModule, TerminusModule],
  controllers: [EventsController, EventsGrpcController, EntitiesController, VerdictsController, ChangesController, ParkedController, HealthController, MetricsController],
  providers: [
    KafkaConnections,
    KafkaHealthIndicator,
    PartitionMap,
    KafkaPublisher,
    PublishService,
    OplogWatcher,
    ReadService,
    VerdictReadService,
    OwnerReadClient,
    FreshReadService,
    ApiKeyChecker,
    EventsGrpcTransport,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    PipelineLagSource,
    ChangeStreamService,
    ParkedAdminService,
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class AppModule {}
