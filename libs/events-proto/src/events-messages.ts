// The events.v1 messages as @grpc/proto-loader hands them over with EVENTS_PROTO_LOADER_OPTIONS.

export type OpName =
  | 'OP_UNSPECIFIED'
  | 'OP_SET'
  | 'OP_MERGE'
  | 'OP_INCR'
  | 'OP_DELETE'
  | 'OP_MAX'
  | 'OP_MIN'
  | 'OP_APPEND'
  | 'OP_ADD_TO_SET'
  | 'OP_REMOVE_FROM_SET';

export type ResultStatusName = 'RESULT_STATUS_UNSPECIFIED' | 'RESULT_STATUS_ACCEPTED' | 'RESULT_STATUS_INVALID' | 'RESULT_STATUS_UNAVAILABLE' | 'RESULT_STATUS_OVERLOADED';

export interface EventMessage {
  id: string;
  /** An unknown enum number arrives as a number. */
  op: OpName | number;
  /** JSON text of the data object; '' when absent. */
  data: string;
  /** '' when absent. */
  eventId: string;
  /** 0 when absent (proto3 default). */
  keepLast: number;
  /** The client's event time (ms since the epoch); 0 when absent. */
  ts: number;
  /** How long after its receive time the ID expires (ms); 0 when absent. */
  ttlMs: number;
  /** null when absent; `kind` names the member set (proto-loader's `oneofs`). */
  condition?: ConditionMessage | null;
}

/** events.v1.Condition: one member set, named by `kind` (undefined: none). */
export interface ConditionMessage {
  kind?: 'version' | 'absent' | 'present';
  version?: number;
  absent?: boolean;
  present?: boolean;
}

export interface GetVerdictRequestMessage {
  token: string;
}

export interface VerdictMessage {
  partition: number;
  offset: number;
  token: string;
  outcome: string;
  seenVersion: number;
  reason: string;
  duplicate: boolean;
  copyOf: number;
}

export interface PublishBatchRequestMessage {
  events: EventMessage[];
}

export interface ViolationMessage {
  field: string;
  rule: string;
  message: string;
}

export interface ErrorMessage {
  code: string;
  message: string;
  retriable: boolean;
  violations: ViolationMessage[];
}

export interface PublishResultMessage {
  status: ResultStatusName;
  partition: number;
  offset: number;
  token: string;
  error?: ErrorMessage | null;
}

export interface PublishBatchResponseMessage {
  accepted: number;
  rejected: number;
  results: PublishResultMessage[];
}

export interface GetRequestMessage {
  id: string;
  after: string;
  /** '' (eventual), 'eventual' or 'fresh'. */
  consistency: string;
  /** 0: no floor. */
  minVersion: number;
}

export interface EntityMessage {
  id: string;
  /** JSON text of the state object. */
  state: string;
  version: number;
  updatedAt: string;
  eventTs: string;
  partition: number;
  offset: number;
  /** 'memory' or 'database'. */
  source: string;
  /** Why a fresh read fell back to the database; '' otherwise. */
  fallback: string;
  /** When the ID expires (RFC 3339); '' when it never does. */
  expiresAt: string;
}
