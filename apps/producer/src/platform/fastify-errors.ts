import { DomainError } from '@async2/domain';
import type { FastifyError, FastifyInstance } from 'fastify';
import { errorBody, httpStatusOf } from './http-error.filter';

/**
 * Errors raised by Fastify itself, before a route runs (body too large, unsupported media type,
 * JSON syntax), get the same error body as the routes' errors.
 */
export function registerFastifyErrorHandler(fastify: FastifyInstance): void {
  fastify.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof DomainError) {
      void reply.status(httpStatusOf(error)).send(errorBody(error));
      return;
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const code = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body_too_large' : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : `http_${status}`;
    void reply.status(status).send({ error: { code, message: status === 500 ? 'internal error' : error.message, retriable: status >= 500 } });
  });
}
