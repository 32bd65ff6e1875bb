import { type HttpCase, invalid } from '../hostile-case';
import { LOG_FORGERY } from './injection.cases';

// GET /v1/entities/:id with malformed write tokens and ids. The topic has 4 partitions in the spec.
const get = (name: string, path: string, expect: HttpCase['expect']): HttpCase => ({ name, category: 'read-api', method: 'GET', path, expect });
const format = invalid('after', 'format');

export const READ_API_CASES: HttpCase[] = [
  get('after=abc', '/v1/entities/read-x?after=abc', format),
  get('after=1:-1', '/v1/entities/read-x?after=1:-1', format),
  get('after=1:2:3', '/v1/entities/read-x?after=1:2:3', format),
  get('after empty', '/v1/entities/read-x?after=', format),
  get('after=:5', '/v1/entities/read-x?after=:5', format),
  get('after=1:', '/v1/entities/read-x?after=1:', format),
  get('after=0:1e3', '/v1/entities/read-x?after=0:1e3', format),
  get('after=0x1:0', '/v1/entities/read-x?after=0x1:0', format),
  get('after holding a forged log line (logged escaped)', `/v1/entities/read-x?after=${encodeURIComponent(LOG_FORGERY)}`, format),
  get('after given twice', '/v1/entities/read-x?after=0:0&after=0:1', format),
  get('after with an offset past 2^53', '/v1/entities/read-x?after=0:99999999999999999999', format),
  get('after naming an unknown partition', '/v1/entities/read-x?after=99:0', invalid('after', 'unknown-partition')),
  get('after past the end of the partition', '/v1/entities/read-x?after=0:999999999', invalid('after', 'past-end')),
  get('id of 257 bytes', `/v1/entities/${'r'.repeat(257)}`, invalid('/id', 'max-bytes')),
  get('id of 5,000 characters', `/v1/entities/${'r'.repeat(5000)}`, invalid('/id', 'max-bytes', 414, 'uri_too_long')),
  get('id with an encoded NUL', '/v1/entities/read%00x', invalid('/id', 'no-control-chars')),
  get('id with an encoded newline', '/v1/entities/read%0Ax', invalid('/id', 'no-control-chars')),
  get('id percent-encoding an invalid UTF-8 byte', '/v1/entities/read%FFx', invalid('path', 'percent-encoding')),
  get('id with a broken percent-encoding', '/v1/entities/read%ZZ', invalid('path', 'percent-encoding')),
  get('id percent-encoding a lone surrogate (CESU-8 ED A0 80)', '/v1/entities/read%ED%A0%80', invalid('path', 'percent-encoding')),
  // GET /v1/events/{partition}:{offset}: the verdict of a conditional event, by its write token.
  get('verdict token abc', '/v1/events/abc', invalid('token', 'format')),
  get('verdict token 0-5', '/v1/events/0-5', invalid('token', 'format')),
  get('verdict token with a leading zero', '/v1/events/0:05', invalid('token', 'format')),
  get('verdict token with an offset past 2^53', '/v1/events/0:99999999999999999999', invalid('token', 'format')),
  get('verdict token naming an unknown partition', '/v1/events/99:0', invalid('token', 'unknown-partition')),
  get('verdict token past the end of the partition', '/v1/events/0:999999999', invalid('token', 'past-end')),
];
