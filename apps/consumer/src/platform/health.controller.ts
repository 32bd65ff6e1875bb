import { KafkaHealthIndicator, readinessReport } from '@async2/platform';
import { Controller, Get, Res } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { FencedLiveness } from '../ownership/fenced-liveness';
import { OwnershipHealthIndicator } from '../ownership/ownership.health';

/**
 * Liveness: the process answers, and has not been fenced from a partition for longer than
 * FENCED_LIVENESS_GRACE_MS (503 naming the partition then: a restart lets it claim again). Readiness: PostgreSQL, Kafka, and it still owns every partition it claimed. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly ownership: OwnershipHealthIndicator,
    private readonly liveness: FencedLiveness,
  ) {}

  @Get('live')
  live(@Res({ passthrough: true }) reply: FastifyReply) {
    const verdict = this.liveness.check();
    if (verdict.live) return { status: 'ok' };
    reply.status(503);
    return { status: 'fenced', reason: verdict.reason, fenced: verdict.fenced };
  }

  /** 200 when every check is up; 503 with the full report (which check is down, and why) otherwise. */
  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return readinessReport(() => this.health.check([() => this.db.pingCheck('postgres', { timeout: 2000 }), () => this.kafka.isHealthy(), () => this.ownership.check()]), reply);
  }
}
