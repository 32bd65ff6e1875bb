import { CHANGE_OPS, type ChangeEvent, type ChangeOp, type JsonObject } from './change-event';
import type { EventLimits } from './event-limits';
import { checkCondition } from './condition-rules';
import { checkJsonValue } from './json-rules';
import { hasControlChars, hasLoneSurrogate, utf8ByteLength } from './text-rules';
import { pointerToken, ValidationError, type Violation } from './validation-error';

const EVENT_FIELDS: ReadonlySet<string> = new Set(['id', 'op', 'data', 'eventId', 'keepLast', 'ts', 'ttlMs', 'if']);
const MAX_VIOLATIONS = 50;
/** 9999-12-31T23:59:59.999Z: the last instant ISO 8601 (and PostgreSQL's to_timestamp output) writes with four year digits. */
export const EVENT_TIME_MAX = 253_402_300_799_999;
/** The longest `ttlMs`: 10 years of 365 days. Fixed, not configured, so producer and consumer never judge a record apart. */
export const TTL_MS_MAX = 315_360_000_000;

/**
 * Checks one event against the contract of design section 2 and returns it typed, or collects
 * every violation (up to 50). Fields are JSON pointers from the event itself (`/id`, `/data/a`, and
 * the empty pointer for the event as a whole); validateBatch puts the event's own pointer in front of
 * them, only when a rule is broken, so a valid event builds no pointer string at all.
 */
function collectEventViolations(raw: unknown, limits: EventLimits, out: Violation[]): ChangeEvent | undefined {
  const before = out.length;
  if (!isPlainObject(raw)) {
    out.push({ field: '', rule: 'type', message: 'an event must be a JSON object' });
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!EVENT_FIELDS.has(key)) {
      out.push({ field: `/${pointerToken(key)}`, rule: 'unknown-field', message: `unknown field; allowed: ${[...EVENT_FIELDS].join(', ')}` });
    }
  }
  checkIdentifier(raw.id, '/id', limits.idMaxBytes, true, out);
  const op = checkOp(raw.op, '/op', out);
  if (raw.eventId !== undefined) checkIdentifier(raw.eventId, '/eventId', limits.eventIdMaxBytes, false, out);
  if (op !== undefined) checkData(op, raw, '/data', limits, out);
  if (op !== undefined) checkKeepLast(op, raw.keepLast, '/keepLast', limits.appendKeepLastMax, out);
  if (op !== undefined) checkEventTime(op, raw.ts, '/ts', out);
  if (op !== undefined) checkTtl(op, raw.ttlMs, '/ttlMs', out);
  const condition = raw.if === undefined ? undefined : checkCondition(raw.if, '/if', out);

  if (out.length > before) return undefined;
  const event: ChangeEvent = { id: raw.id as string, op: op! };
  if (raw.data !== undefined) event.data = raw.data as JsonObject;
  if (raw.eventId !== undefined) event.eventId = raw.eventId as string;
  // The default is resolved here, at the edge, so the record carries the bound the fold applies.
  if (op === 'append') event.keepLast = (raw.keepLast as number | undefined) ?? limits.appendKeepLastMax;
  if (raw.ts !== undefined) event.eventTime = raw.ts as number;
  if (raw.ttlMs !== undefined) event.ttlMs = raw.ttlMs as number;
  if (condition !== undefined) event.condition = condition;
  return event;
}

/** Validates one event; throws ValidationError naming every broken rule. */
export function validateEvent(raw: unknown, limits: EventLimits): ChangeEvent {
  const violations: Violation[] = [];
  const event = collectEventViolations(raw, limits, violations);
  if (!event) throw new ValidationError(violations);
  return event;
}

/**
 * Validates a batch body `{ "events": [...] }`. All or nothing: one bad event rejects the batch,
 * so a client never has to work out which half of its request was published.
 */
export function validateBatch(raw: unknown, limits: EventLimits): ChangeEvent[] {
  const violations: Violation[] = [];
  if (!isPlainObject(raw)) throw new ValidationError([{ field: '', rule: 'type', message: 'the body must be a JSON object { "events": [...] }' }]);
  for (const key of Object.keys(raw)) {
    if (key !== 'events') violations.push({ field: `/${pointerToken(key)}`, rule: 'unknown-field', message: 'unknown field; allowed: events' });
  }
  const list = raw.events;
  if (!Array.isArray(list)) {
    violations.push({ field: '/events', rule: list === undefined ? 'required' : 'type', message: 'events must be an array of events' });
    throw new ValidationError(violations);
  }
  if (list.length === 0) violations.push({ field: '/events', rule: 'min-items', message: 'events must not be empty' });
  if (list.length > limits.batchMaxEvents) {
    violations.push({ field: '/events', rule: 'max-items', message: `at most ${limits.batchMaxEvents} events per batch` });
    throw new ValidationError(violations);
  }
  const events: ChangeEvent[] = [];
  for (let i = 0; i < list.length && violations.length < MAX_VIOLATIONS; i++) {
    const before = violations.length;
    const event = collectEventViolations(list[i], limits, violations);
    if (event) events.push(event);
    for (let v = before; v < violations.length; v++) violations[v].field = `/events/${i}${violations[v].field}`;
  }
  if (violations.length > 0) throw new ValidationError(violations);
  return events;
}

function checkIdentifier(value: unknown, at: string, maxBytes: number, required: boolean, out: Violation[]): void {
  if (value === undefined) {
    if (required) out.push({ field: at, rule: 'required', message: 'is required' });
    return;
  }
  if (typeof value !== 'string') out.push({ field: at, rule: 'type', message: 'must be a string' });
  else if (value.length === 0) out.push({ field: at, rule: 'non-empty', message: 'must not be empty' });
  else if (utf8ByteLength(value) > maxBytes) out.push({ field: at, rule: 'max-bytes', message: `must be at most ${maxBytes} bytes of UTF-8` });
  else if (hasControlChars(value)) out.push({ field: at, rule: 'no-control-chars', message: 'must not contain control characters' });
  else if (hasLoneSurrogate(value)) out.push({ field: at, rule: 'no-lone-surrogate', message: 'must be well-formed Unicode' });
}

function checkOp(value: unknown, at: string, out: Violation[]): ChangeOp | undefined {
  if (value === undefined) {
    out.push({ field: at, rule: 'required', message: 'is required' });
    return undefined;
  }
  if (typeof value !== 'string' || !(CHANGE_OPS as readonly string[]).includes(value)) {
    out.push({ field: at, rule: 'enum', message: `must be one of ${CHANGE_OPS.join(', ')}` });
    return undefined;
  }
  return value as ChangeOp;
}

function checkData(op: ChangeOp, raw: Record<string, unknown>, at: string, limits: EventLimits, out: Violation[]): void {
  const data = raw.data;
  if (op === 'delete') {
    if (data !== undefined) out.push({ field: at, rule: 'forbidden', message: 'delete takes no data' });
    return;
  }
  if (data === undefined) {
    out.push({ field: at, rule: 'required', message: `${op} requires data` });
    return;
  }
  if (!isPlainObject(data)) {
    out.push({ field: at, rule: 'type', message: 'must be a JSON object' });
    return;
  }
  const before = out.length;
  // Depth first: it bounds the cost of everything after it, including JSON.stringify's recursion.
  const bytesAtMost = checkJsonValue(data, at, limits.dataMaxDepth, out, MAX_VIOLATIONS);
  if (out.length > before) return;
  // The exact size only when the walk's upper bound does not already settle it (~a quarter of a small event's validation).
  if (bytesAtMost > limits.dataMaxBytes && utf8ByteLength(JSON.stringify(data)) > limits.dataMaxBytes) {
    out.push({ field: at, rule: 'max-bytes', message: `must be at most ${limits.dataMaxBytes} bytes as JSON` });
    return;
  }
  checkFieldOperands(op, data, at, out);
}

/** What each per-field op takes as a top-level field's value; set and merge take any JSON. */
function checkFieldOperands(op: ChangeOp, data: Record<string, unknown>, at: string, out: Violation[]): void {
  for (const key of Object.keys(data)) {
    const operand = data[key];
    switch (op) {
      case 'incr':
      case 'max':
      case 'min':
        // Finite and safe, as every number of data: checkJsonValue judged that before.
        if (typeof operand !== 'number') out.push({ field: operandAt(at, key), rule: 'type', message: `${op} operands must be numbers` });
        break;
      case 'append':
        if (!Array.isArray(operand)) out.push({ field: operandAt(at, key), rule: 'type', message: 'append operands must be arrays of the values to append' });
        break;
      case 'addToSet':
      case 'removeFromSet':
        if (!Array.isArray(operand)) out.push({ field: operandAt(at, key), rule: 'type', message: `${op} operands must be arrays of JSON scalars` });
        else {
          operand.forEach((member: unknown, i) => {
            if (member !== null && typeof member === 'object') out.push({ field: `${operandAt(at, key)}/${i}`, rule: 'scalar', message: 'set members must be strings, numbers, booleans or null' });
          });
        }
        break;
      default:
        break;
    }
  }
}

/** A top-level field's pointer, built only for a violation (like every pointer of a valid event). */
function operandAt(at: string, key: string): string {
  return `${at}/${pointerToken(key)}`;
}

/** `ts`: the client's event time in ms since the epoch, for set and merge (last writer by event time wins per field). */
function checkEventTime(op: ChangeOp, value: unknown, at: string, out: Violation[]): void {
  if (value === undefined) return;
  if (op !== 'set' && op !== 'merge') out.push({ field: at, rule: 'forbidden', message: 'ts is for set and merge only' });
  else if (typeof value !== 'number' || !Number.isInteger(value)) out.push({ field: at, rule: 'type', message: 'must be an integer (ms since the epoch)' });
  else if (value < 1) out.push({ field: at, rule: 'minimum', message: 'must be at least 1 (ms since the epoch)' });
  else if (value > EVENT_TIME_MAX) out.push({ field: at, rule: 'maximum', message: `must be at most ${EVENT_TIME_MAX} (9999-12-31)` });
}

/** `ttlMs`: the ID expires that long after the producer received the event; any op but delete. */
function checkTtl(op: ChangeOp, value: unknown, at: string, out: Violation[]): void {
  if (value === undefined) return;
  if (op === 'delete') out.push({ field: at, rule: 'forbidden', message: 'delete takes no ttlMs' });
  else if (typeof value !== 'number' || !Number.isInteger(value)) out.push({ field: at, rule: 'type', message: 'must be an integer (milliseconds)' });
  else if (value < 1) out.push({ field: at, rule: 'minimum', message: 'must be at least 1 (milliseconds)' });
  else if (value > TTL_MS_MAX) out.push({ field: at, rule: 'maximum', message: `must be at most ${TTL_MS_MAX} (10 years)` });
}

function checkKeepLast(op: ChangeOp, value: unknown, at: string, max: number, out: Violation[]): void {
  if (value === undefined) return;
  if (op !== 'append') out.push({ field: at, rule: 'forbidden', message: 'keepLast is for append only' });
  else if (typeof value !== 'number' || !Number.isInteger(value)) out.push({ field: at, rule: 'type', message: 'must be an integer' });
  else if (value < 1) out.push({ field: at, rule: 'minimum', message: 'must be at least 1' });
  else if (value > max) out.push({ field: at, rule: 'maximum', message: `must be at most ${max} (APPEND_KEEP_LAST_MAX)` });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
