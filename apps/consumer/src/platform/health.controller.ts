import { KafkaHealthIndicator, readinessReport } from '@async2/platform';
import { Controller, Get, Res } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
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

  /** 200 when every check is up; 503 with the full report (which check is down, and why) otherwise. */
  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return readinessReport(() => this.health.check([() => this.db.pingCheck('postgres', { timeout: 2000 }), () => this.kafka.isHealthy(), () => this.ownership.check()]), reply);
  }
}
