import { DomainError, ValidationError } from '@async2/domain';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OverloadedError, PublishUnavailableError } from '../ingest/ingest-errors';
import { EntityNotFoundError, ReadAfterTimeoutError } from '../read/read-errors';

export interface ErrorBody {
  error: { code: string; message: string; retriable: boolean; violations?: ValidationError['violations'] };
}

/** The one place domain errors become HTTP statuses (house style 6). */
export function httpStatusOf(error: DomainError): number {
  if (error instanceof ValidationError) return 400;
  if (error instanceof EntityNotFoundError) return 404;
  if (error instanceof OverloadedError) return 429;
  if (error instanceof PublishUnavailableError) return 503;
  if (error instanceof ReadAfterTimeoutError) return 504;
  return 500;
}

export function errorBody(error: DomainError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      retriable: error.retriable,
      ...(error instanceof ValidationError ? { violations: error.violations } : {}),
    },
  };
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof DomainError) {
      if (exception instanceof OverloadedError || exception instanceof PublishUnavailableError) {
        reply.header('retry-after', String(exception.retryAfterSeconds));
      }
      reply.status(httpStatusOf(exception)).send(errorBody(exception));
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      reply.status(status).send({ error: { code: `http_${status}`, message: exception.message, retriable: status >= 500 } });
      return;
    }
    this.logger.error(exception);
    reply.status(500).send({ error: { code: 'internal', message: 'internal error', retriable: true } });
  }
}
