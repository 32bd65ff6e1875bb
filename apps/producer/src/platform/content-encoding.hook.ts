import type { FastifyInstance } from 'fastify';
import { errorBody, httpStatusOf } from './http-error.filter';
import { UnsupportedMediaTypeError } from './request-errors';

/**
 * Bodies are read as sent: a request with a Content-Encoding (gzip, deflate, br, ...) is refused
 * with 415 before its body is read, so a decompression bomb is never inflated. (Node reads and
 * discards the unread body; closing at once would reset the connection and lose the answer.)
 */
export function refuseContentEncodings(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const encoding = request.headers['content-encoding'];
    if (encoding === undefined || encoding.trim().toLowerCase() === 'identity') return done();
    const refused = new UnsupportedMediaTypeError({ field: 'content-encoding', rule: 'unsupported-encoding', message: 'request bodies must not be compressed (identity only)' });
    void reply.status(httpStatusOf(refused)).header('accept-encoding', 'identity').send(errorBody(refused));
  });
}
