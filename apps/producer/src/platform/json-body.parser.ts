import { ValidationError } from '@async2/domain';
import type { FastifyInstance } from 'fastify';
import { ingestEvents } from './ingest.metrics';

/**
 * Replaces Fastify's JSON parser so syntax errors get the same error body as every other bad input
 * (`rule: json-syntax`), and `__proto__` keys reach the validator (which names them) instead of
 * being stripped or rejected anonymously. JSON.parse never assigns to a prototype: such a key
 * becomes an own property, and the validator refuses it.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      // Refused before any route runs, so counted here.
      if (request.url.startsWith('/v1/events')) ingestEvents.inc({ edge: 'http', outcome: 'invalid' });
      const invalid = new ValidationError([{ field: '', rule: 'json-syntax', message: `the body is not valid JSON: ${(error as Error).message}` }]);
      done(Object.assign(invalid, { statusCode: 400 }), undefined);
    }
  });
}
