import { DatabaseModule, KafkaConnections, KafkaHealthIndicator, MetricsController, SHARED_SETTINGS, structuredLogger } from '@async2/platform';
import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CONSUMER_CONFIG, loadConsumerConfig } from './config/consumer.config';
import { FreshReadController } from './fresh-read/fresh-read.controller';
import { FreshReadService } from './fresh-read/fresh-read.service';
import { FencedLiveness } from './ownership/fenced-liveness';
import { OwnershipHealthIndicator } from './ownership/ownership.health';
import { PartitionConsumer } from './partition-consumer.service';
import { HealthController } from './platform/health.controller';
import { VerdictRetention } from './verdicts/verdict-retention.service';

@Global()
@Module({
  providers: [
    { provide: CONSUMER_CONFIG, useFactory: () => loadConsumerConfig() },
    { provide: SHARED_SETTINGS, useExisting: CONSUMER_CONFIG },
  ],
  exports: [CONSUMER_CONFIG, SHARED_SETTINGS],
})
class ConfigModule {}

/**
 * The consumer: Kafka (owned partitions) -> fold per partition -> flush (EVENTS + OPLOG in one
 * transaction, epoch-fenced). HTTP on PORT (internal) serves health, metrics and fresh reads of
 * owned partitions from the fold's memory (fresh-read/).
 */
@Module({
  imports: [ConfigModule, structuredLogger('consumer'), DatabaseModule, TerminusModule],
  controllers: [HealthController, MetricsController, FreshReadController],
  providers: [KafkaConnections, KafkaHealthIndicator, PartitionConsumer, OwnershipHealthIndicator, FencedLiveness, FreshReadService, VerdictRetention],
})
export class AppModule {}
