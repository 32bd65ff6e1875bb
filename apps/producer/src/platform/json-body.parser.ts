import { ValidationError } from '@async2/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ingestEvents } from './ingest.metrics';
import { UnsupportedMediaTypeError } from './request-errors';

// fatal: invalid UTF-8 is an error, not a silent U+FFFD inside an id. ignoreBOM: a leading BOM
// stays in the text, so JSON.parse refuses it (RFC 8259 section 8.1: senders must not add one).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Replaces Fastify's JSON parser so syntax errors get the same error body as every other bad input
 * (`rule: json-syntax`), and `__proto__` keys reach the validator (which names them) instead of
 * being stripped or rejected anonymously. JSON.parse never assigns to a prototype: such a key
 * becomes an own property, and the validator refuses it. The body is read as bytes and decoded
 * strictly: Node's string decoding would turn invalid UTF-8 into U+FFFD and change the event.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  // JSON only: any other media type (text/plain included) is 415.
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const refused = (error: ValidationError) => {
      // Refused before any route runs, so counted here.
      if (request.url.startsWith('/v1/events')) ingestEvents.inc({ edge: 'http', outcome: 'invalid' });
      done(Object.assign(error, { statusCode: 400 }), undefined);
    };
    const charset = charsetOf(request);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return refused(new UnsupportedMediaTypeError({ field: 'content-type', rule: 'charset', message: 'the body must be UTF-8 (charset=utf-8 or none)' }));
    }
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      return refused(new ValidationError([{ field: '', rule: 'utf-8', message: 'the body is not valid UTF-8' }]));
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      refused(new ValidationError([{ field: '', rule: 'json-syntax', message: `the body is not valid JSON: ${(error as Error).message}` }]));
    }
  });
}

function charsetOf(request: FastifyRequest): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '');
  return match?.[1].toLowerCase();
}
