import { type ChangeOp, type Violation, ValidationError, formatWriteToken } from '@async2/domain';
import type { EntityMessage, ErrorMessage, EventMessage, PublishResultMessage } from '@async2/events-proto';
import type { DomainError } from '@async2/domain';
import type { PublishOutcome } from '../ingest/coalescing-publisher';
import type { EntityView } from '../read/read.service';

const OPS: Record<string, ChangeOp> = { OP_SET: 'set', OP_MERGE: 'merge', OP_INCR: 'incr', OP_DELETE: 'delete' };

/**
 * An events.v1.Event as the JSON body HTTP would have received, so the same validator judges both
 * edges and names the same fields. `data` is JSON text: its syntax errors point at `<at>/data`.
 * Proto3 cannot tell an empty string from an absent one: '' data or event_id means absent.
 */
export function eventBody(message: EventMessage, at: string, syntaxErrors: Violation[]): Record<string, unknown> {
  const body: Record<string, unknown> = { id: message.id };
  if (message.op !== 'OP_UNSPECIFIED') body.op = OPS[message.op] ?? String(message.op); // unknown: the enum rule names it
  if (message.data !== '') {
    try {
      body.data = JSON.parse(message.data);
    } catch (error) {
      syntaxErrors.push({ field: `${at}/data`, rule: 'json-syntax', message: `data is not valid JSON: ${(error as Error).message}` });
    }
  }
  if (message.eventId !== '') body.eventId = message.eventId;
  return body;
}

/** One event's JSON body; throws ValidationError (json-syntax) when its data is not JSON. */
export function singleEventBody(message: EventMessage): Record<string, unknown> {
  const syntaxErrors: Violation[] = [];
  const body = eventBody(message, '', syntaxErrors);
  if (syntaxErrors.length > 0) throw new ValidationError(syntaxErrors);
  return body;
}

export function batchBody(events: EventMessage[]): { events: Array<Record<string, unknown>> } {
  const syntaxErrors: Violation[] = [];
  const body = { events: events.map((event, i) => eventBody(event, `/events/${i}`, syntaxErrors)) };
  if (syntaxErrors.length > 0) throw new ValidationError(syntaxErrors);
  return body;
}

export function resultMessage(outcome: PublishOutcome): PublishResultMessage {
  if (outcome.ok) return { status: 'RESULT_STATUS_ACCEPTED', partition: outcome.partition, offset: outcome.offset, token: formatWriteToken(outcome), error: null };
  return { status: 'RESULT_STATUS_UNAVAILABLE', partition: 0, offset: 0, token: '', error: errorMessage(outcome.error) };
}

export function errorMessage(error: DomainError): ErrorMessage {
  return { code: error.code, message: error.message, retriable: error.retriable, violations: error instanceof ValidationError ? error.violations : [] };
}

export function entityMessage(view: EntityView, fallback = ''): EntityMessage {
  return { ...view, state: JSON.stringify(view.state), updatedAt: view.updatedAt ?? '', fallback };
}
