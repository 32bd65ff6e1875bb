import { ValidationError, type Violation } from '@async2/domain';

// Requests refused at the HTTP edge before their body is parsed. They carry violations (field,
// rule) like every other bad input, with their own code and status (platform/edge-statuses.ts).

/** The body is larger than BODY_LIMIT_BYTES (413): refused as soon as that is known, never buffered whole. */
export class BodyTooLargeError extends ValidationError {
  override readonly code = 'body_too_large';
  constructor(limitBytes: number) {
    super([{ field: '', rule: 'max-body-bytes', message: `the body must be at most ${limitBytes} bytes` }]);
    this.name = 'BodyTooLargeError';
  }
}

/** The body's media type, charset or content coding is not one the producer reads (415). */
export class UnsupportedMediaTypeError extends ValidationError {
  override readonly code = 'unsupported_media_type';
  constructor(violation: Violation) {
    super([violation]);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** A path segment longer than any valid `id` can be, even percent-encoded (414). */
export class UriTooLongError extends ValidationError {
  override readonly code = 'uri_too_long';
  constructor(field: string, maxChars: number) {
    super([{ field, rule: 'max-bytes', message: `a path segment must be at most ${maxChars} characters` }]);
    this.name = 'UriTooLongError';
  }
}
