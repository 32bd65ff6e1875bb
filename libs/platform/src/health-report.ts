import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';

/**
 * Answers a readiness check with Terminus's full report, also when it fails: 503 with which check
 * is down and why (`error.postgres`, `error.kafka`, `error.ownership`), never reshaped by an
 * app-wide error filter into a bare "Service Unavailable".
 */
export async function readinessReport(check: () => Promise<HealthCheckResult>, reply: FastifyReply): Promise<unknown> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof ServiceUnavailableException)) throw error;
    reply.status(503);
    return error.getResponse();
  }
}
