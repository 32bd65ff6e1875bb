/** One broken rule: where (a JSON pointer into the request body) and which rule. */
export interface Violation {
  /** JSON pointer (RFC 6901) to the offending value, e.g. `/events/3/data`. */
  field: string;
  /** Stable rule name, e.g. `required`, `max-bytes`, `forbidden-key`. */
  rule: string;
  /** A sentence for humans. */
  message: string;
}

/** Base of the domain's errors: a stable code and whether retrying the same request can help. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly retriable: boolean;
}

/** The request breaks the event contract; nothing of it was published. Never retriable as is. */
export class ValidationError extends DomainError {
  // A string, not the literal: the edges refine it (body_too_large, malformed_request) with the same violations.
  readonly code: string = 'invalid_event';
  readonly retriable = false;

  constructor(readonly violations: Violation[]) {
    super(violations.map((v) => `${v.field || '/'}: ${v.message}`).join('; '));
    this.name = 'ValidationError';
  }
}

/** Escapes one JSON pointer reference token (RFC 6901 section 3). */
export function pointerToken(key: string | number): string {
  const token = String(key);
  // Most keys need no escape: checking first skips two regex replaces per key of every event.
  if (!token.includes('~') && !token.includes('/')) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
