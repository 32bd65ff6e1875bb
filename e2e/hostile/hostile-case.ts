// The shape of a corpus case: what is sent, and exactly what the producer must answer.

export type Category = 'framing' | 'size' | 'json-syntax' | 'depth' | 'prototype-keys' | 'numbers' | 'unicode' | 'schema' | 'operations' | 'read-api' | 'injection' | 'generated';

/** A refusal: the HTTP status, the error code, and one violation the answer must hold. */
export interface Refusal {
  status: number;
  code: string;
  field: string;
  rule: string;
}

/** An event given by its parts, so the same case can be sent over HTTP and over gRPC (data as JSON text). */
export interface EventParts {
  id?: string;
  op?: string;
  /** JSON text of `data`, sent verbatim (so 1e400 stays 1e400 on the wire). */
  dataText?: string;
  eventId?: string;
  /** JSON text of `keepLast` over HTTP (sent verbatim); over gRPC its number (keep_last), when it is one. */
  keepLastText?: string;
  /** JSON text of `ts` (the event time) over HTTP; over gRPC its number, when it is one. */
  tsText?: string;
  /** JSON text of `ttlMs` over HTTP; over gRPC its number (ttl_ms), when it is one. */
  ttlText?: string;
  /** JSON text of `if` (the condition) over HTTP; over gRPC the parsed object as events.v1.Condition. */
  ifText?: string;
}

export interface HttpCase {
  name: string;
  category: Category;
  /** Default POST /v1/events. */
  method?: 'POST' | 'GET';
  path?: string;
  headers?: Record<string, string>;
  /** The body: given whole, or built from `event`. */
  body?: string | Buffer;
  event?: EventParts;
  /** 'accepted': valid after all (202), and must round-trip exactly through EVENTS. */
  expect: Refusal | 'accepted';
  /** Also sent over gRPC (cases given by `event` only); default true. */
  grpc?: boolean;
}

/** A request written byte for byte on a TCP socket (framing that fetch would never produce). */
export interface RawCase {
  name: string;
  category: Category;
  /** Chunks written in order; a number waits that many milliseconds (a slow client). */
  chunks: Array<string | Buffer | number>;
  expect: Refusal;
}

export const invalid = (field: string, rule: string, status = 400, code = 'invalid_event'): Refusal => ({ status, code, field, rule });

/** The JSON body of an event given by parts; `dataText` is inserted as is. */
export function eventBody(parts: EventParts): string {
  const fields: string[] = [];
  if (parts.id !== undefined) fields.push(`"id":${JSON.stringify(parts.id)}`);
  if (parts.op !== undefined) fields.push(`"op":${JSON.stringify(parts.op)}`);
  if (parts.dataText !== undefined) fields.push(`"data":${parts.dataText}`);
  if (parts.eventId !== undefined) fields.push(`"eventId":${JSON.stringify(parts.eventId)}`);
  if (parts.keepLastText !== undefined) fields.push(`"keepLast":${parts.keepLastText}`);
  if (parts.tsText !== undefined) fields.push(`"ts":${parts.tsText}`);
  if (parts.ttlText !== undefined) fields.push(`"ttlMs":${parts.ttlText}`);
  if (parts.ifText !== undefined) fields.push(`"if":${parts.ifText}`);
  return `{${fields.join(',')}}`;
}
