import { KafkaHealthIndicator } from '@async2/platform';
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckError, HealthCheckService, type HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config';
import { PartitionConsumer } from '../partition-consumer.service';

/** Liveness: the process answers. Readiness: PostgreSQL, Kafka, and it still owns its partitions. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly consumer: PartitionConsumer,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.db.pingCheck('postgres', { timeout: 2000 }),
      () => this.kafka.isHealthy(),
      async (): Promise<HealthIndicatorResult> => {
        const active = this.consumer.activePartitions();
        const result = {
          ownership: { status: active.length > 0 ? ('up' as const) : ('down' as const), group: this.config.consumerGroup, partitions: this.consumer.progress() },
        };
        if (active.length === 0) throw new HealthCheckError('owns no partition', result);
        return result;
      },
    ]);
  }
}
