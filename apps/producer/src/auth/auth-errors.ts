import { DomainError } from '@async2/domain';

/** No API key, a malformed one, or one that matches no configured key (HTTP 401, gRPC UNAUTHENTICATED). */
export class UnauthenticatedError extends DomainError {
  readonly code = 'unauthenticated';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** A valid key without the scope the call needs (HTTP 403, gRPC PERMISSION_DENIED). */
export class PermissionDeniedError extends DomainError {
  readonly code = 'permission_denied';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'PermissionDeniedError';
  }
}
