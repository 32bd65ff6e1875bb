import { join } from 'node:path';
import { type Options, type PackageDefinition, loadSync } from '@grpc/proto-loader';

/** Directory holding `events/v1/events.proto` and the `google/rpc` messages it uses in status details. */
export const PROTO_ROOT = __dirname;
export const EVENTS_PROTO_FILE = 'events/v1/events.proto';
export const EVENT_SERVICE_NAME = 'events.v1.EventService';

/**
 * How the server and our tests load the protos: camelCase fields (eventId, updatedAt), enums as
 * their names, int64 as JS numbers (offsets stay far below 2^53), unset fields as their defaults.
 */
export const EVENTS_PROTO_LOADER_OPTIONS: Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] };

/** The events.v1 package definition, for @grpc/grpc-js (`loadPackageDefinition`) and reflection. */
export function loadEventsPackageDefinition(): PackageDefinition {
  return loadSync(join(PROTO_ROOT, EVENTS_PROTO_FILE), EVENTS_PROTO_LOADER_OPTIONS);
}
