import { join } from 'node:path';
import { Root } from 'protobufjs';
import { PROTO_ROOT } from './events-proto';

/** One field violation of google.rpc.BadRequest: `reason` carries our stable rule name. */
export interface FieldViolation {
  field: string;
  description: string;
  reason: string;
}

// protobufjs's built-in google.protobuf.Any keeps the proto's snake_case field name (type_url).
const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

let root: Root | undefined;
function rpcRoot(): Root {
  if (!root) {
    root = new Root();
    root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(PROTO_ROOT, target));
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: false });
  }
  return root;
}

/**
 * The bytes of the `grpc-status-details-bin` trailer: a google.rpc.Status whose details hold one
 * google.rpc.BadRequest, as gRPC's richer error model prescribes (any client's status-details
 * helper decodes it, e.g. Go's status.FromError(...).Details()).
 */
export function encodeBadRequestStatus(code: number, message: string, violations: FieldViolation[]): Buffer {
  const BadRequest = rpcRoot().lookupType('google.rpc.BadRequest');
  const Status = rpcRoot().lookupType('google.rpc.Status');
  const badRequest = BadRequest.encode(BadRequest.create({ fieldViolations: violations })).finish();
  return Buffer.from(Status.encode(Status.create({ code, message, details: [{ type_url: BAD_REQUEST_TYPE_URL, value: badRequest }] })).finish());
}

/** Reads a `grpc-status-details-bin` trailer back: the status and its BadRequest violations, if any. */
export function decodeBadRequestStatus(bytes: Uint8Array): { code: number; message: string; violations: FieldViolation[] } {
  const Status = rpcRoot().lookupType('google.rpc.Status');
  const BadRequest = rpcRoot().lookupType('google.rpc.BadRequest');
  const status = Status.toObject(Status.decode(bytes), { defaults: true }) as { code: number; message: string; details: Array<{ type_url: string; value: Uint8Array }> };
  const violations = status.details
    .filter((d) => d.type_url === BAD_REQUEST_TYPE_URL)
    .flatMap((d) => (BadRequest.toObject(BadRequest.decode(d.value), { defaults: true }) as { fieldViolations: FieldViolation[] }).fieldViolations);
  return { code: status.code, message: status.message, violations };
}
