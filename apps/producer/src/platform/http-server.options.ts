import { ValidationError } from '@async2/domain';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { ProducerConfig } from '../config/producer.config';
import { answerClientError } from './http-client-errors';
import { errorBody, httpStatusOf } from './http-error.filter';
import { UriTooLongError } from './request-errors';

// IDs may be 256 bytes of UTF-8, up to 768 characters percent-encoded in a path.
const MAX_PATH_SEGMENT_CHARS = 1024;

/**
 * Fastify's options for the producer's HTTP edge: limits, timeouts against slow clients, and the
 * answers to what fails before a route runs (parser errors, bad URLs), all in the one error body.
 */
export function httpServerOptions(config: ProducerConfig): FastifyServerOptions {
  const { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs } = config.http;
  return {
    bodyLimit: config.bodyLimitBytes,
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT_CHARS },
    // Fastify's default 0 switches Node's request timeout off: a client dripping a byte a second
    // would hold its connection (and its buffered body) forever.
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    http: {
      // Node's own HTTP parser rejects Transfer-Encoding with Content-Length; never the insecure one.
      insecureHTTPParser: false,
      headersTimeout: headersTimeoutMs,
      // Node checks the two timeouts every 30 s by default, so they would fire up to 30 s late.
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
    },
    clientErrorHandler: answerClientError,
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const refused =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new UriTooLongError('/id', MAX_PATH_SEGMENT_CHARS)
          : new ValidationError([{ field: 'path', rule: error.code === 'FST_ERR_BAD_URL' ? 'percent-encoding' : 'format', message: 'the URL path is not valid percent-encoded UTF-8' }]);
      void reply.status(httpStatusOf(refused)).send(errorBody(refused));
    },
  } as FastifyServerOptions;
}
