import { DomainError, ValidationError } from '@async2/domain';
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorBody, httpStatusOf } from './http-error.filter';
import { BodyTooLargeError, UnsupportedMediaTypeError } from './request-errors';

/**
 * Errors raised by Fastify itself, before a route runs (body too large, unsupported media type,
 * a body shorter than its Content-Length), get the same error body as the routes' errors,
 * with a violation naming what was wrong.
 */
export function registerFastifyErrorHandler(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.setErrorHandler((error: FastifyError, _request, reply) => {
    const known = error instanceof DomainError ? error : fromFastify(error, bodyLimitBytes);
    if (known) {
      // The rest of a refused body is not read: the connection cannot carry another request.
      if (known instanceof BodyTooLargeError) void reply.header('connection', 'close');
      void reply.status(httpStatusOf(known)).send(errorBody(known));
      return;
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    void reply.status(status).send({ error: { code: `http_${status}`, message: status === 500 ? 'internal error' : error.message, retriable: status >= 500 } });
  });
}

function fromFastify(error: FastifyError, bodyLimitBytes: number): DomainError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new BodyTooLargeError(bodyLimitBytes);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError({ field: 'content-type', rule: 'media-type', message: 'the body must be application/json' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ValidationError([{ field: 'content-length', rule: 'length-mismatch', message: 'the body is not as long as its Content-Length' }]);
    default:
      return undefined;
  }
}
