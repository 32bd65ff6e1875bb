import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';

/** How a request Node's HTTP parser refused before any route saw it is answered. */
interface ClientErrorAnswer {
  status: number;
  code: string;
  field: string;
  rule: string;
  message: string;
}

// llhttp's error codes (strict parsing, never insecureHTTPParser) and Node's timeouts, by what
// the client did wrong. Request smuggling needs two parsers that disagree on where a request ends:
// every ambiguous framing is refused here and the connection closed.
const ANSWERS: Record<string, Omit<ClientErrorAnswer, 'message'>> = {
  HPE_UNEXPECTED_CONTENT_LENGTH: { status: 400, code: 'malformed_request', field: 'content-length', rule: 'ambiguous-framing' },
  HPE_INVALID_CONTENT_LENGTH: { status: 400, code: 'malformed_request', field: 'content-length', rule: 'ambiguous-framing' },
  HPE_INVALID_TRANSFER_ENCODING: { status: 400, code: 'malformed_request', field: 'transfer-encoding', rule: 'ambiguous-framing' },
  HPE_INVALID_CHUNK_SIZE: { status: 400, code: 'malformed_request', field: 'transfer-encoding', rule: 'chunk-size' },
  HPE_INVALID_HEADER_TOKEN: { status: 400, code: 'malformed_request', field: 'headers', rule: 'header-syntax' },
  HPE_LF_EXPECTED: { status: 400, code: 'malformed_request', field: 'headers', rule: 'bare-cr' },
  HPE_CR_EXPECTED: { status: 400, code: 'malformed_request', field: 'headers', rule: 'bare-lf' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', field: 'headers', rule: 'max-header-bytes' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', field: '', rule: 'request-timeout' },
};
const OTHER: Omit<ClientErrorAnswer, 'message'> = { status: 400, code: 'malformed_request', field: '', rule: 'http-syntax' };

export function clientErrorAnswer(error: Error & { code?: string; reason?: string }): ClientErrorAnswer {
  const known = ANSWERS[error.code ?? ''] ?? OTHER;
  const message = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'the request did not arrive in time' : `the request is not valid HTTP/1.1: ${error.reason ?? error.code ?? 'parse error'}`;
  return { ...known, message };
}

/**
 * Fastify's clientErrorHandler: answers what the parser refused in the same error body as every
 * other bad input (code, and a violation naming the header and the rule), then closes the
 * connection, since the rest of its bytes cannot be trusted to frame a next request.
 */
export function answerClientError(error: Error & { code?: string; reason?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, code, field, rule, message } = clientErrorAnswer(error);
  const body = JSON.stringify({ error: { code, message, retriable: status === 408, violations: [{ field, rule, message }] } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
