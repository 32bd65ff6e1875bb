import { DomainError, ValidationError, parseMinVersion, validateEvent } from '@async2/domain';
import { Controller, Get, Inject, Logger, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config';
import { type FreshReadAnswer, FreshReadService } from './fresh-read.service';

// Grammar of `after` and `waitMs`: non-negative decimal integers without sign or leading zeros.
const INTEGER = /^(0|[1-9]\d{0,15})$/;

type QueryValue = string | string[] | undefined;

/**
 * The consumer's internal read endpoint, on its internal listener (PORT, beside health and
 * metrics; the consumer has no public API). The producer's `consistency=fresh` reads call it.
 *
 *   GET /internal/v1/entities/:id[?after=<offset>][&minVersion=<n>][&waitMs=<ms>]
 *   200 {partition, epoch, foldedUpTo, committedUpTo, from, entity|null}
 *   400 bad parameter (field and rule named), 421 not_owner, 409 fenced, 503 starting, 504 not_reached
 */
@Controller('internal/v1/entities')
export class FreshReadController {
  private readonly logger = new Logger('FreshReadController');

  constructor(
    private readonly reads: FreshReadService,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
  ) {}

  @Get(':id')
  async read(
    @Param('id') id: string,
    @Query('after') after: QueryValue,
    @Query('minVersion') minVersion: QueryValue,
    @Query('waitMs') waitMs: QueryValue,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FreshReadAnswer | { error: object }> {
    try {
      validateEvent({ id, op: 'delete' }, this.config.limits);
      return await this.reads.read({
        id,
        after: optionalInteger(after, 'after'),
        minVersion: parseMinVersion(single(minVersion, 'minVersion')),
        waitMs: Math.min(this.config.readMaxWaitMs, optionalInteger(waitMs, 'waitMs') ?? 0),
      });
    } catch (error) {
      if (!(error instanceof DomainError)) {
        this.logger.error(error);
        reply.status(500);
        return { error: { code: 'internal', message: 'internal error', retriable: true } };
      }
      reply.status(error instanceof ValidationError ? 400 : ((error as DomainError & { status?: number }).status ?? 500));
      const violations = error instanceof ValidationError ? { violations: error.violations } : {};
      return { error: { code: error.code, message: error.message, retriable: error.retriable, ...violations } };
    }
  }
}

function single(raw: QueryValue, field: string): string | undefined {
  if (Array.isArray(raw)) throw new ValidationError([{ field, rule: 'format', message: 'must be given once' }]);
  return raw;
}

function optionalInteger(raw: QueryValue, field: string): number | undefined {
  const value = single(raw, field);
  if (value === undefined) return undefined;
  if (!INTEGER.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new ValidationError([{ field, rule: 'format', message: 'must be a non-negative integer' }]);
  }
  return Number(value);
}
