import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { type RawCase, invalid } from '../hostile-case';
import { postHead } from '../raw-http.client';

// HTTP/1.1 framing that request smuggling and decompression bombs rely on, written byte for byte.
// Node's strict parser (llhttp, never insecureHTTPParser) refuses ambiguous framing; the producer
// answers in its own error body and closes the connection.
const body = '{"id":"framing","op":"delete"}';
const len = `Content-Length: ${body.length}`;
const json = 'Content-Type: application/json';
const framing = (field: string, rule: string) => invalid(field, rule, 400, 'malformed_request');
const unsupported = (field: string, rule: string) => invalid(field, rule, 415, 'unsupported_media_type');
// 10 MiB of zeros in about 10 KiB: a bomb if anything inflated it.
const zeros = Buffer.alloc(10 * 1024 * 1024);

export const FRAMING_CASES: RawCase[] = [
  { name: 'Content-Length then Transfer-Encoding', category: 'framing', chunks: [postHead('/v1/events', [json, len, 'Transfer-Encoding: chunked']), `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`], expect: framing('transfer-encoding', 'ambiguous-framing') },
  { name: 'Transfer-Encoding then Content-Length', category: 'framing', chunks: [postHead('/v1/events', [json, 'Transfer-Encoding: chunked', len]), `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`], expect: framing('content-length', 'ambiguous-framing') },
  { name: 'Transfer-Encoding chunked with Content-Length 0 (CL.TE smuggling)', category: 'framing', chunks: [postHead('/v1/events', [json, 'Content-Length: 0', 'Transfer-Encoding: chunked']), '0\r\n\r\nGET /v1/entities/x HTTP/1.1\r\n\r\n'], expect: framing('transfer-encoding', 'ambiguous-framing') },
  { name: 'duplicate Content-Length, equal values', category: 'framing', chunks: [postHead('/v1/events', [json, len, len]), body], expect: framing('content-length', 'ambiguous-framing') },
  { name: 'duplicate Content-Length, different values', category: 'framing', chunks: [postHead('/v1/events', [json, len, 'Content-Length: 5']), body], expect: framing('content-length', 'ambiguous-framing') },
  { name: 'Content-Length as a list', category: 'framing', chunks: [postHead('/v1/events', [json, `Content-Length: ${body.length}, ${body.length}`]), body], expect: framing('content-length', 'ambiguous-framing') },
  { name: 'negative Content-Length', category: 'framing', chunks: [postHead('/v1/events', [json, 'Content-Length: -1']), body], expect: framing('content-length', 'ambiguous-framing') },
  { name: 'Content-Length not a number', category: 'framing', chunks: [postHead('/v1/events', [json, 'Content-Length: 0x1f']), body], expect: framing('content-length', 'ambiguous-framing') },
  { name: 'bare CR inside a header line', category: 'framing', chunks: [`POST /v1/events HTTP/1.1\r\nHost: producer\rX-Smuggle: 1\r\n${json}\r\n${len}\r\n\r\n${body}`], expect: framing('headers', 'bare-cr') },
  { name: 'bare CR ending a header line', category: 'framing', chunks: [`POST /v1/events HTTP/1.1\r\nHost: producer\r\n${json}\r${len}\r\n\r\n${body}`], expect: framing('headers', 'bare-cr') },
  { name: 'space before the colon of Transfer-Encoding', category: 'framing', chunks: [postHead('/v1/events', [json, len, 'Transfer-Encoding : chunked']), body], expect: framing('headers', 'header-syntax') },
  { name: 'obsolete line folding of Transfer-Encoding', category: 'framing', chunks: [postHead('/v1/events', [json, 'Transfer-Encoding:', ' chunked']), '0\r\n\r\n'], expect: framing('headers', 'header-syntax') },
  { name: 'chunk size not hexadecimal', category: 'framing', chunks: [postHead('/v1/events', [json, 'Transfer-Encoding: chunked']), `zz\r\n${body}\r\n0\r\n\r\n`], expect: framing('transfer-encoding', 'chunk-size') },
  { name: 'Transfer-Encoding not ending in chunked', category: 'framing', chunks: [postHead('/v1/events', [json, 'Transfer-Encoding: chunked, identity']), body], expect: framing('transfer-encoding', 'ambiguous-framing') },
  { name: 'NUL in a header value', category: 'framing', chunks: [postHead('/v1/events', [json, len, 'X-Trace: a\u0000b']), body], expect: framing('headers', 'header-syntax') },
  { name: 'headers larger than 16 KiB', category: 'framing', chunks: [postHead('/v1/events', [json, len, `X-Padding: ${'p'.repeat(20_000)}`]), body], expect: invalid('headers', 'max-header-bytes', 431, 'headers_too_large') },
  { name: 'gzip bomb (10 MiB of zeros, Content-Encoding: gzip)', category: 'framing', chunks: gzipped(gzipSync(zeros), 'gzip'), expect: unsupported('content-encoding', 'unsupported-encoding') },
  { name: 'deflate bomb', category: 'framing', chunks: gzipped(deflateSync(zeros), 'deflate'), expect: unsupported('content-encoding', 'unsupported-encoding') },
  { name: 'brotli bomb', category: 'framing', chunks: gzipped(brotliCompressSync(zeros), 'br'), expect: unsupported('content-encoding', 'unsupported-encoding') },
  { name: 'gzip-compressed valid event', category: 'framing', chunks: gzipped(gzipSync(body), 'gzip'), expect: unsupported('content-encoding', 'unsupported-encoding') },
];

/** Slow clients (slowloris): answered 408 when HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS pass. */
export const SLOW_CLIENT_CASES: RawCase[] = [
  { name: 'headers dripped a byte every 250 ms', category: 'framing', chunks: [...'POST /v1/events HTTP/1.1\r\nHost: producer\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'].flatMap((c) => [c, 250]), expect: invalid('', 'request-timeout', 408, 'request_timeout') },
  { name: 'body dripped a byte every 250 ms', category: 'framing', chunks: [postHead('/v1/events', [json, len]), ...[...body].flatMap((c) => [c, 250])], expect: invalid('', 'request-timeout', 408, 'request_timeout') },
  { name: 'connection opened, nothing sent', category: 'framing', chunks: [60_000], expect: invalid('', 'request-timeout', 408, 'request_timeout') },
];

function gzipped(compressed: Buffer, encoding: string): Array<string | Buffer> {
  return [postHead('/v1/events', [json, `Content-Encoding: ${encoding}`, `Content-Length: ${compressed.length}`]), compressed];
}
