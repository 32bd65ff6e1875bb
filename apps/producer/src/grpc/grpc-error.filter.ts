import { DomainError, ValidationError } from '@async2/domain';
import { encodeBadRequestStatus } from '@async2/events-proto';
import { Metadata, type ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, of, throwError } from 'rxjs';
import { grpcStatusOf } from '../platform/edge-statuses';
import { grpcCallOf, isStreamingCall } from './grpc-call';

/**
 * The one way an error leaves a gRPC call (API keys, validation, Kafka, reads). A unary call fails
 * with the status through Nest's callback; a @GrpcStreamCall has none (Nest would only reject a
 * promise nobody awaits), so the status is emitted on the call, which grpc-js ends with it.
 */
@Catch()
export class GrpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('GrpcErrorFilter');

  catch(error: unknown, host: ArgumentsHost): Observable<unknown> {
    if (!(error instanceof DomainError)) this.logger.error(error);
    const status = toServiceError(error);
    const call = grpcCallOf(host);
    if (isStreamingCall(call)) {
      call.emit('error', status);
      return of(undefined);
    }
    return throwError(() => status);
  }
}

/**
 * A domain error as a gRPC status. INVALID_ARGUMENT carries google.rpc.BadRequest field
 * violations (field = JSON pointer, reason = rule) in `grpc-status-details-bin`, gRPC's richer
 * error model; every error also says in `error-code` / `retriable` trailers what HTTP says in its body.
 */
export function toServiceError(error: unknown): Partial<ServiceError> {
  if (!(error instanceof DomainError)) {
    return { code: GrpcStatus.INTERNAL, details: 'internal error', metadata: new Metadata() };
  }
  const code = grpcStatusOf(error);
  const metadata = new Metadata();
  metadata.set('error-code', error.code);
  metadata.set('retriable', String(error.retriable));
  if (error instanceof ValidationError) {
    // Protobuf strings must be UTF-8: a field named by a lone surrogate is sent with U+FFFD.
    const violations = error.violations.map((v) => ({ field: v.field.toWellFormed(), description: v.message.toWellFormed(), reason: v.rule }));
    metadata.set('grpc-status-details-bin', encodeBadRequestStatus(code, error.message, violations));
  }
  // grpc-js percent-encodes details with encodeURI, which throws on a lone surrogate (one named
  // by a violation, say) and took the process down: send them well-formed.
  return { code, details: error.message.toWellFormed(), metadata };
}
