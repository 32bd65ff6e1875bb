import { KafkaHealthIndicator } from '@async2/platform';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { OwnershipHealthIndicator } from '../ownership/ownership.health';

/** Liveness: the process answers. Readiness: PostgreSQL, Kafka, and it still owns every partition it claimed. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly ownership: OwnershipHealthIndicator,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.db.pingCheck('postgres', { timeout: 2000 }), () => this.kafka.isHealthy(), () => this.ownership.check()]);
  }
}
