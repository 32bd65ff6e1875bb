import { ParkedElsewhereError, ParkedIdNotFoundError } from '@async2/data-access';
import { type DomainError, ValidationError } from '@async2/domain';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from '../auth/auth-errors';
import { OverloadedError, PublishUnavailableError } from '../ingest/ingest-errors';
import { EntityNotFoundError, ReadAfterTimeoutError, StaleReadRefusedError, VerdictNotFoundError } from '../read/read-errors';
import { BodyTooLargeError, UnsupportedMediaTypeError, UriTooLongError } from './request-errors';

type ErrorClass = abstract new (...args: never[]) => DomainError;

/**
 * The one place domain errors become HTTP statuses and gRPC codes (house style 6), side by side.
 * The first match wins: subclasses of ValidationError come before it.
 */
const EDGE_STATUSES: Array<[ErrorClass, number, GrpcStatus]> = [
  [BodyTooLargeError, 413, GrpcStatus.RESOURCE_EXHAUSTED],
  [UriTooLongError, 414, GrpcStatus.INVALID_ARGUMENT],
  [UnsupportedMediaTypeError, 415, GrpcStatus.INVALID_ARGUMENT],
  [ValidationError, 400, GrpcStatus.INVALID_ARGUMENT],
  [UnauthenticatedError, 401, GrpcStatus.UNAUTHENTICATED],
  [PermissionDeniedError, 403, GrpcStatus.PERMISSION_DENIED],
  [EntityNotFoundError, 404, GrpcStatus.NOT_FOUND],
  [VerdictNotFoundError, 404, GrpcStatus.NOT_FOUND],
  [ParkedIdNotFoundError, 404, GrpcStatus.NOT_FOUND],
  [ParkedElsewhereError, 409, GrpcStatus.FAILED_PRECONDITION],
  [OverloadedError, 429, GrpcStatus.RESOURCE_EXHAUSTED],
  [PublishUnavailableError, 503, GrpcStatus.UNAVAILABLE],
  [ReadAfterTimeoutError, 504, GrpcStatus.DEADLINE_EXCEEDED],
  [StaleReadRefusedError, 503, GrpcStatus.UNAVAILABLE],
];

export function httpStatusOf(error: DomainError): number {
  return EDGE_STATUSES.find(([type]) => error instanceof type)?.[1] ?? 500;
}

export function grpcStatusOf(error: DomainError): GrpcStatus {
  return EDGE_STATUSES.find(([type]) => error instanceof type)?.[2] ?? GrpcStatus.INTERNAL;
}
