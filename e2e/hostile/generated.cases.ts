import { DEFAULT_EVENT_LIMITS, ValidationError, bodyMaxDepth, nestsDeeperThan, validateEvent } from '@async2/domain';
import fc from 'fast-check';
import { BODY_LIMIT } from './corpus/size.cases';

// Generated bodies for POST /v1/events: half fast-check json() documents, half mutations of valid
// events (a field replaced by any JSON value, removed, or joined by an unknown one; the text
// truncated or given a stray character). Seeded; the seed is printed so a failure can be replayed
// with HOSTILE_SEED=<seed>.

export interface GeneratedCase {
  name: string;
  body: string;
}

export interface Expected {
  status: number;
  violations: Array<{ field: string; rule: string }>;
}

const validEvent = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 24 }).map((s) => `gen-${s}`),
    op: fc.constantFrom('set', 'merge', 'incr', 'max', 'min', 'append', 'addToSet', 'removeFromSet', 'delete'),
    data: fc.dictionary(fc.string({ maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }), { maxKeys: 4 }),
    eventId: fc.string({ minLength: 1, maxLength: 16 }),
  },
  { requiredKeys: ['id', 'op'] },
).map((e) => {
  const event: Record<string, unknown> = { ...e };
  if (e.op === 'delete') delete event.data;
  else event.data ??= { n: 1 };
  // append and the set ops take arrays: wrap each number, so the event stays valid.
  if (e.op === 'append' || e.op === 'addToSet' || e.op === 'removeFromSet') {
    event.data = Object.fromEntries(Object.entries(event.data as Record<string, number>).map(([k, v]) => [k, [v]]));
  }
  return event;
});

const mutation = fc.oneof(
  fc.tuple(validEvent, fc.constantFrom('id', 'op', 'data', 'eventId', 'keepLast', 'ts', 'if'), fc.jsonValue({ maxDepth: 3 })).map(([event, field, value]) => JSON.stringify({ ...event, [field]: value })),
  fc.tuple(validEvent, fc.constantFrom('id', 'op', 'data')).map(([event, field]) => {
    const copy = { ...event };
    delete copy[field];
    return JSON.stringify(copy);
  }),
  fc.tuple(validEvent, fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 })).map(([event, key, value]) => JSON.stringify({ ...event, [key]: value })),
  fc.tuple(validEvent, fc.jsonValue({ maxDepth: 4 })).map(([event, value]) => JSON.stringify({ ...event, data: { deep: value } })),
  fc.tuple(validEvent, fc.nat()).map(([event, cut]) => {
    const text = JSON.stringify(event);
    return text.slice(0, cut % text.length);
  }),
  fc.tuple(validEvent, fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 2 })).map(([event, at, stray]) => {
    const text = JSON.stringify(event);
    const i = at % text.length;
    return text.slice(0, i) + stray + text.slice(i);
  }),
);

export function generatedCases(seed: number, count: number): GeneratedCase[] {
  const half = Math.floor(count / 2);
  const documents = fc.sample(fc.json({ maxDepth: 5 }), { seed, numRuns: half });
  const mutations = fc.sample(mutation, { seed: seed + 1, numRuns: count - half });
  return [...documents.map((body, i) => ({ name: `json() #${i}`, body })), ...mutations.map((body, i) => ({ name: `mutation #${i}`, body }))];
}

/** What the producer must answer, from the domain validator run here (the same rules, no network). */
export function expectedAnswer(body: string): Expected {
  if (Buffer.byteLength(body) > BODY_LIMIT) return { status: 413, violations: [{ field: '', rule: 'max-body-bytes' }] };
  if (nestsDeeperThan(body, bodyMaxDepth(DEFAULT_EVENT_LIMITS.dataMaxDepth))) return { status: 400, violations: [{ field: '', rule: 'max-depth' }] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { status: 400, violations: [{ field: '', rule: 'json-syntax' }] };
  }
  try {
    validateEvent(parsed, DEFAULT_EVENT_LIMITS);
    return { status: 202, violations: [] };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { status: 400, violations: error.violations.map(({ field, rule }) => ({ field, rule })) };
  }
}
