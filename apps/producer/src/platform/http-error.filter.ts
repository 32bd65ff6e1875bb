import { DomainError, ValidationError } from '@async2/domain';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { UnauthenticatedError } from '../auth/auth-errors';
import { OverloadedError, PublishUnavailableError } from '../ingest/ingest-errors';
import { StaleReadRefusedError } from '../read/read-errors';
import { httpStatusOf } from './edge-statuses';

export { httpStatusOf };

export interface ErrorBody {
  error: { code: string; message: string; retriable: boolean; violations?: ValidationError['violations'] };
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
      if (exception instanceof OverloadedError || exception instanceof PublishUnavailableError || exception instanceof StaleReadRefusedError) {
        reply.header('retry-after', String(exception.retryAfterSeconds));
      }
      if (exception instanceof UnauthenticatedError) reply.header('www-authenticate', 'Bearer');
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
