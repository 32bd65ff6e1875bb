import { type ChangeOp, type Violation, ValidationError, formatWriteToken, nestsDeeperThan } from '@async2/domain';
import type { ConditionMessage, EntityMessage, ErrorMessage, EventMessage, PublishResultMessage, VerdictMessage } from '@async2/events-proto';
import type { DomainError } from '@async2/domain';
import type { PublishOutcome } from '../ingest/coalescing-publisher';
import { OverloadedError } from '../ingest/ingest-errors';
import type { EachOutcome } from '../ingest/publish.service';
import type { EntityView } from '../read/read.service';
import type { VerdictView } from '../read/verdict-read.service';

const OPS: Record<string, ChangeOp> = {
  OP_SET: 'set',
  OP_MERGE: 'merge',
  OP_INCR: 'incr',
  OP_DELETE: 'delete',
  OP_MAX: 'max',
  OP_MIN: 'min',
  OP_APPEND: 'append',
  OP_ADD_TO_SET: 'addToSet',
  OP_REMOVE_FROM_SET: 'removeFromSet',
};

/**
 * An events.v1.Event as the JSON body HTTP would have received, so the same validator judges both
 * edges and names the same fields. `data` is JSON text: its syntax errors point at `<at>/data`.
 * Proto3 cannot tell an empty string from an absent one: '' data or event_id means absent, and
 * keep_last, ts or ttl_ms 0 means absent (0 is a valid value of none of them).
 * Data nested deeper than `dataMaxDepth` + 1 is refused on its text, before JSON.parse builds it
 * (one level of slack: data one past its cap is named at its exact pointer by the validator, as
 * over HTTP, where the body around it gives the same slack).
 */
export function eventBody(message: EventMessage, at: string, dataMaxDepth: number, syntaxErrors: Violation[]): Record<string, unknown> {
  const body: Record<string, unknown> = { id: message.id };
  if (message.op !== 'OP_UNSPECIFIED') body.op = OPS[message.op] ?? String(message.op); // unknown: the enum rule names it
  if (message.data !== '' && nestsDeeperThan(message.data, dataMaxDepth + 1)) {
    syntaxErrors.push({ field: `${at}/data`, rule: 'max-depth', message: `nesting deeper than ${dataMaxDepth} levels` });
  } else if (message.data !== '') {
    try {
      body.data = JSON.parse(message.data);
    } catch (error) {
      syntaxErrors.push({ field: `${at}/data`, rule: 'json-syntax', message: `data is not valid JSON: ${(error as Error).message}` });
    }
  }
  if (message.eventId !== '') body.eventId = message.eventId;
  if (message.keepLast) body.keepLast = message.keepLast;
  if (message.ts) body.ts = message.ts;
  if (message.ttlMs) body.ttlMs = message.ttlMs;
  if (message.condition) body.if = conditionBody(message.condition);
  return body;
}

/** events.v1.Condition as HTTP's `if`: its one member set (none: `{}`, which the validator names as one-of). */
function conditionBody(condition: ConditionMessage): Record<string, unknown> {
  switch (condition.kind) {
    case 'version':
      return { version: condition.version };
    case 'absent':
      return { absent: condition.absent };
    case 'present':
      return { present: condition.present };
    default:
      return {};
  }
}

/** One event's JSON body; throws ValidationError (json-syntax) when its data is not JSON. */
export function singleEventBody(message: EventMessage, dataMaxDepth: number): Record<string, unknown> {
  const syntaxErrors: Violation[] = [];
  const body = eventBody(message, '', dataMaxDepth, syntaxErrors);
  if (syntaxErrors.length > 0) throw new ValidationError(syntaxErrors);
  return body;
}

export function batchBody(events: EventMessage[], dataMaxDepth: number): { events: Array<Record<string, unknown>> } {
  const syntaxErrors: Violation[] = [];
  const body = { events: events.map((event, i) => eventBody(event, `/events/${i}`, dataMaxDepth, syntaxErrors)) };
  if (syntaxErrors.length > 0) throw new ValidationError(syntaxErrors);
  return body;
}

export function resultMessage(outcome: PublishOutcome): PublishResultMessage {
  if (outcome.ok) return { status: 'RESULT_STATUS_ACCEPTED', partition: outcome.partition, offset: outcome.offset, token: formatWriteToken(outcome), error: null };
  return { status: 'RESULT_STATUS_UNAVAILABLE', partition: 0, offset: 0, token: '', error: errorMessage(outcome.error) };
}

/** One PublishStream event's answer: accepted or unavailable as from Kafka, invalid or overloaded when it was not published. */
export function streamResultMessage(answer: EachOutcome): PublishResultMessage {
  if (answer.ok) return resultMessage(answer);
  const { error } = answer;
  if (error instanceof ValidationError) return { status: 'RESULT_STATUS_INVALID', partition: 0, offset: 0, token: '', error: errorMessage(error) };
  if (error instanceof OverloadedError) return { status: 'RESULT_STATUS_OVERLOADED', partition: 0, offset: 0, token: '', error: errorMessage(error) };
  return resultMessage({ ok: false, error });
}

export function errorMessage(error: DomainError): ErrorMessage {
  // Protobuf strings must be UTF-8: a field named by a lone surrogate is sent with U+FFFD.
  const violations = error instanceof ValidationError ? error.violations.map((v) => ({ ...v, field: v.field.toWellFormed(), message: v.message.toWellFormed() })) : [];
  return { code: error.code, message: error.message.toWellFormed(), retriable: error.retriable, violations };
}

export function entityMessage(view: EntityView, fallback = ''): EntityMessage {
  return { ...view, state: JSON.stringify(view.state), updatedAt: view.updatedAt ?? '', fallback, expiresAt: view.expiresAt ?? '' };
}

export function verdictMessage(view: VerdictView): VerdictMessage {
  return {
    partition: view.partition,
    offset: view.offset,
    token: view.token,
    outcome: view.verdict,
    seenVersion: view.seenVersion,
    reason: view.reason ?? '',
    duplicate: view.duplicate ?? false,
    copyOf: view.copyOf ?? -1,
  };
}
