import type { ArgumentsHost } from '@nestjs/common';
import type { ServerDuplexStream, ServerUnaryCall } from '@grpc/grpc-js';

/**
 * The grpc-js call behind a handler of Nest's GRPC transport: a `@GrpcMethod` handler gets
 * (request, metadata, call), a `@GrpcStreamCall` handler gets (call); the call is last either way.
 */
export function grpcCallOf(host: ArgumentsHost): GrpcCall {
  return host.getArgs<unknown[]>().at(-1) as GrpcCall;
}

export type GrpcCall = ServerUnaryCall<unknown, unknown> | ServerDuplexStream<unknown, unknown>;

/** A streaming call has no callback for Nest to answer with: it ends by an 'error' event. */
export function isStreamingCall(call: GrpcCall): call is ServerDuplexStream<unknown, unknown> {
  return typeof (call as { write?: unknown }).write === 'function';
}
