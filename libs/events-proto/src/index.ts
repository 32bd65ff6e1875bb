// The events.v1 gRPC contract, usable by clients: the .proto files, a loader with the options the
// server uses, the message shapes, and google.rpc.Status details (BadRequest) encoding.
export * from './events-proto';
export * from './events-messages';
export * from './rpc-status';
