import { ValidationError, nestsDeeperThan } from '@async2/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ingestEvents } from './ingest.metrics';
import { BodyTooLargeError, UnsupportedMediaTypeError } from './request-errors';

// fatal: invalid UTF-8 is an error, not a silent U+FFFD inside an id. ignoreBOM: a leading BOM
// stays in the text, so JSON.parse refuses it (RFC 8259 section 8.1: senders must not add one).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** The parsed "body" of a request refused as too large; the preValidation hook below answers 413. */
const TOO_LARGE = Symbol('body too large');

/**
 * The producer's only body parser. It reads the body itself so every refusal is a DomainError
 * with a field and a rule (Nest turns Fastify's own errors into bare HttpExceptions):
 * - larger than `bodyLimitBytes`: 413, decided by Content-Length before a byte is read, or as soon
 *   as a chunked body passes the limit; the rest is never buffered: Node reads and discards it.
 *   (Not a parser error: Fastify closes the connection after those, and closing a socket with
 *   unread bytes resets it, so a client still sending could lose the answer.)
 * - not valid UTF-8: 400 `utf-8` (Node's string decoding would turn it into U+FFFD and change the event);
 * - nested deeper than any valid request can be (`maxDepth`): 400 `max-depth`, counted on the text
 *   before JSON.parse builds a million arrays (a second of CPU and ~100 MB for a 2 MB body);
 * - not JSON: 400 `json-syntax`; `__proto__` keys become own properties (JSON.parse never assigns
 *   to a prototype) and reach the validator, which names them;
 * - a charset other than UTF-8, or any media type but application/json: 415.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, bodyLimitBytes: number, maxDepth: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, _payload, done) => {
    countInvalid(request);
    done(new UnsupportedMediaTypeError({ field: 'content-type', rule: 'media-type', message: 'the body must be application/json' }), undefined);
  });
  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    let settled = false;
    const settle = (error: ValidationError | null, value?: unknown) => {
      if (settled) return;
      settled = true;
      if (error || value === TOO_LARGE) countInvalid(request);
      done(error, value);
    };
    const charset = charsetOf(request);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return settle(new UnsupportedMediaTypeError({ field: 'content-type', rule: 'charset', message: 'the body must be UTF-8 (charset=utf-8 or none)' }));
    }
    const declared = request.headers['content-length'];
    if (declared !== undefined && Number(declared) > bodyLimitBytes) return settle(null, TOO_LARGE);
    const chunks: Buffer[] = [];
    let received = 0;
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > bodyLimitBytes) {
        chunks.length = 0;
        payload.removeAllListeners('data');
        payload.resume(); // keep reading, keep nothing
        return settle(null, TOO_LARGE);
      }
      chunks.push(chunk);
    });
    payload.on('error', () => settle(new ValidationError([{ field: '', rule: 'incomplete-body', message: 'the body ended before it was complete' }])));
    payload.on('end', () => {
      if (declared !== undefined && received !== Number(declared)) {
        return settle(new ValidationError([{ field: 'content-length', rule: 'length-mismatch', message: 'the body is not as long as its Content-Length' }]));
      }
      try {
        settle(null, parse(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)));
      } catch (error) {
        settle(error as ValidationError);
      }
    });
  });

  fastify.addHook('preValidation', (request, _reply, next) => next(request.body === TOO_LARGE ? new BodyTooLargeError(bodyLimitBytes) : undefined));

  function parse(body: Buffer): unknown {
    let text: string;
    try {
      text = UTF8.decode(body);
    } catch {
      throw new ValidationError([{ field: '', rule: 'utf-8', message: 'the body is not valid UTF-8' }]);
    }
    if (nestsDeeperThan(text, maxDepth)) {
      throw new ValidationError([{ field: '', rule: 'max-depth', message: `the body nests deeper than ${maxDepth} levels` }]);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ValidationError([{ field: '', rule: 'json-syntax', message: `the body is not valid JSON: ${(error as Error).message}` }]);
    }
  }
}

// Refused before any route runs, so counted here.
function countInvalid(request: FastifyRequest): void {
  if (request.url.startsWith('/v1/events')) ingestEvents.inc({ edge: 'http', outcome: 'invalid' });
}

function charsetOf(request: FastifyRequest): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '');
  return match?.[1].toLowerCase();
}
