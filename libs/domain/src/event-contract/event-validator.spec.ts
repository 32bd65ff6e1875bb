import type { JsonObject } from './change-event';
import { DEFAULT_EVENT_LIMITS as LIMITS } from './event-limits';
import { validateBatch, validateEvent } from './event-validator';
import { ValidationError } from './validation-error';

type Found = Array<{ field: string; rule: string }>;

/** The violations (field, rule) of a request that must fail validation. */
function violationsOf(validate: () => unknown): Found {
  let caught: unknown;
  try {
    validate();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  return (caught as ValidationError).violations.map(({ field, rule }) => ({ field, rule }));
}

const eventViolations = (raw: unknown): Found => violationsOf(() => validateEvent(raw, LIMITS));
const batchViolations = (raw: unknown, limits = LIMITS): Found => violationsOf(() => validateBatch(raw, limits));

const ok = { id: 'user-1', op: 'set', data: { a: 1 } };
const withData = (data: unknown, op = 'set') => ({ id: 'user-1', op, data });

/** {a: {a: ... {}}} with `depth` objects, built without recursion. */
function nested(depth: number): JsonObject {
  let v: JsonObject = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}
const pointerAtDepth = (depth: number) => '/data' + '/a'.repeat(depth - 1);

describe('validateEvent: one broken rule, one violation at the exact JSON pointer', () => {
  it.each<[string, unknown, string, string]>([
    ['event not an object (array)', [ok], '', 'type'],
    ['event null', null, '', 'type'],
    ['id missing', { op: 'set', data: {} }, '/id', 'required'],
    ['id not a string', { ...ok, id: 42 }, '/id', 'type'],
    ['id empty', { ...ok, id: '' }, '/id', 'non-empty'],
    ['id 257 bytes', { ...ok, id: 'x'.repeat(257) }, '/id', 'max-bytes'],
    ['id 86 x € (86 chars, 258 bytes)', { ...ok, id: '€'.repeat(86) }, '/id', 'max-bytes'],
    ['id with a control char (LF)', { ...ok, id: 'a\nb' }, '/id', 'no-control-chars'],
    ['id with NUL', { ...ok, id: 'a\u0000' }, '/id', 'no-control-chars'],
    ['id with DEL', { ...ok, id: 'a\u007f' }, '/id', 'no-control-chars'],
    ['id with a C1 control (NEL)', { ...ok, id: 'a\u0085' }, '/id', 'no-control-chars'],
    ['id with a lone surrogate', { ...ok, id: 'a\ud800' }, '/id', 'no-lone-surrogate'],
    ['op missing', { id: 'u', data: {} }, '/op', 'required'],
    ['op unknown', { ...ok, op: 'upsert' }, '/op', 'enum'],
    ['op not a string', { ...ok, op: 1 }, '/op', 'enum'],
    ['data missing for set', { id: 'u', op: 'set' }, '/data', 'required'],
    ['data missing for merge', { id: 'u', op: 'merge' }, '/data', 'required'],
    ['data missing for incr', { id: 'u', op: 'incr' }, '/data', 'required'],
    ['data present on delete', withData({}, 'delete'), '/data', 'forbidden'],
    ['data an array', withData([1]), '/data', 'type'],
    ['data a string', withData('x'), '/data', 'type'],
    ['data null', withData(null), '/data', 'type'],
    ['data 33 levels deep', withData(nested(33)), pointerAtDepth(33), 'max-depth'],
    ['data over 64 KiB as JSON', withData({ s: 'x'.repeat(65529) }), '/data', 'max-bytes'],
    ['__proto__ at top level', withData(JSON.parse('{"__proto__":{"x":1}}')), '/data/__proto__', 'forbidden-key'],
    ['constructor at top level', withData(JSON.parse('{"constructor":1}')), '/data/constructor', 'forbidden-key'],
    ['prototype at top level', withData(JSON.parse('{"prototype":1}')), '/data/prototype', 'forbidden-key'],
    ['__proto__ nested', withData(JSON.parse('{"a":{"__proto__":{}}}')), '/data/a/__proto__', 'forbidden-key'],
    ['constructor nested in an array', withData(JSON.parse('{"a":[0,{"constructor":{}}]}')), '/data/a/1/constructor', 'forbidden-key'],
    ['prototype nested', withData(JSON.parse('{"a":{"b":{"prototype":2}}}')), '/data/a/b/prototype', 'forbidden-key'],
    ['NUL in a string value', withData({ s: 'a\u0000b' }), '/data/s', 'no-nul'],
    ['NUL in a key', withData({ 'k\u0000': 1 }), '/data/k\u0000', 'no-nul'],
    ['lone surrogate in a string value', withData({ s: ['\udc00'] }), '/data/s/0', 'no-lone-surrogate'],
    ['lone surrogate in a key', withData({ '\ud83d': 1 }), '/data/\ud83d', 'no-lone-surrogate'],
    ['Infinity (JSON 1e400)', withData(JSON.parse('{"n":1e400}')), '/data/n', 'finite-number'],
    ['integer past 2^53 (JSON 2^53+1)', withData(JSON.parse('{"n":9007199254740993}')), '/data/n', 'safe-integer'],
    ['incr with a string', withData({ n: '1' }, 'incr'), '/data/n', 'type'],
    ['incr with null', withData({ n: null }, 'incr'), '/data/n', 'type'],
    ['incr with a nested object', withData({ n: { m: 1 } }, 'incr'), '/data/n', 'type'],
    ['incr with Infinity', withData(JSON.parse('{"n":-1e400}'), 'incr'), '/data/n', 'finite-number'],
    ['max with a string', withData({ n: '1' }, 'max'), '/data/n', 'type'],
    ['min with null', withData({ n: null }, 'min'), '/data/n', 'type'],
    ['max with Infinity', withData(JSON.parse('{"n":1e400}'), 'max'), '/data/n', 'finite-number'],
    ['min past 2^53', withData(JSON.parse('{"n":-9007199254740993}'), 'min'), '/data/n', 'safe-integer'],
    ['data missing for max', { id: 'u', op: 'max' }, '/data', 'required'],
    ['append with a scalar, not an array', withData({ log: 1 }, 'append'), '/data/log', 'type'],
    ['append with an object', withData({ log: { a: 1 } }, 'append'), '/data/log', 'type'],
    ['append keepLast 0', { ...withData({ log: [1] }, 'append'), keepLast: 0 }, '/keepLast', 'minimum'],
    ['append keepLast -1', { ...withData({ log: [1] }, 'append'), keepLast: -1 }, '/keepLast', 'minimum'],
    ['append keepLast 1001 (max + 1)', { ...withData({ log: [1] }, 'append'), keepLast: 1001 }, '/keepLast', 'maximum'],
    ['append keepLast 2.5', { ...withData({ log: [1] }, 'append'), keepLast: 2.5 }, '/keepLast', 'type'],
    ['append keepLast a string', { ...withData({ log: [1] }, 'append'), keepLast: '5' }, '/keepLast', 'type'],
    ['keepLast on set', { ...ok, keepLast: 5 }, '/keepLast', 'forbidden'],
    ['addToSet with a string, not an array', withData({ tags: 'a' }, 'addToSet'), '/data/tags', 'type'],
    ['addToSet with an object member', withData({ tags: ['a', { b: 1 }] }, 'addToSet'), '/data/tags/1', 'scalar'],
    ['removeFromSet with an array member', withData({ tags: [[1]] }, 'removeFromSet'), '/data/tags/0', 'scalar'],
    ['removeFromSet with null, not an array', withData({ tags: null }, 'removeFromSet'), '/data/tags', 'type'],
    ['addToSet member with NUL', withData({ tags: ['a\u0000'] }, 'addToSet'), '/data/tags/0', 'no-nul'],
    ['ts on incr', { ...withData({ n: 1 }, 'incr'), ts: 5 }, '/ts', 'forbidden'],
    ['ts on delete', { id: 'u', op: 'delete', ts: 5 }, '/ts', 'forbidden'],
    ['ts 0 (below the lower edge)', { ...ok, ts: 0 }, '/ts', 'minimum'],
    ['ts negative', { ...withData({ a: 1 }, 'merge'), ts: -1 }, '/ts', 'minimum'],
    ['ts past 9999-12-31 (upper edge + 1)', { ...ok, ts: 253402300800000 }, '/ts', 'maximum'],
    ['ts fractional', { ...ok, ts: 1.5 }, '/ts', 'type'],
    ['ts an ISO string', { ...ok, ts: '2026-01-01T00:00:00Z' }, '/ts', 'type'],
    ['ts null', { ...ok, ts: null }, '/ts', 'type'],
    ['ttlMs on delete', { id: 'u', op: 'delete', ttlMs: 1000 }, '/ttlMs', 'forbidden'],
    ['ttlMs 0 (below the lower edge)', { ...ok, ttlMs: 0 }, '/ttlMs', 'minimum'],
    ['ttlMs negative', { ...withData({ n: 1 }, 'incr'), ttlMs: -5 }, '/ttlMs', 'minimum'],
    ['ttlMs past 10 years (upper edge + 1)', { ...ok, ttlMs: 315360000001 }, '/ttlMs', 'maximum'],
    ['ttlMs fractional', { ...ok, ttlMs: 1.5 }, '/ttlMs', 'type'],
    ['ttlMs a duration string', { ...ok, ttlMs: '10s' }, '/ttlMs', 'type'],
    ['ttlMs null', { ...ok, ttlMs: null }, '/ttlMs', 'type'],
    ['eventId empty', { ...ok, eventId: '' }, '/eventId', 'non-empty'],
    ['eventId 129 bytes', { ...ok, eventId: 'e'.repeat(129) }, '/eventId', 'max-bytes'],
    ['eventId not a string', { ...ok, eventId: 7 }, '/eventId', 'type'],
    ['eventId null', { ...ok, eventId: null }, '/eventId', 'type'],
    ['if not an object', { ...ok, if: 3 }, '/if', 'type'],
    ['if null', { ...ok, if: null }, '/if', 'type'],
    ['if an array', { ...ok, if: [{ version: 1 }] }, '/if', 'type'],
    ['if empty', { ...ok, if: {} }, '/if', 'one-of'],
    ['if with two conditions', { ...ok, if: { version: 1, absent: true } }, '/if', 'one-of'],
    ['if with an unknown condition', { ...ok, if: { equals: 1 } }, '/if/equals', 'unknown-field'],
    ['if version a string', { ...ok, if: { version: '3' } }, '/if/version', 'type'],
    ['if version fractional', { ...ok, if: { version: 1.5 } }, '/if/version', 'type'],
    ['if version negative', { ...ok, if: { version: -1 } }, '/if/version', 'minimum'],
    ['if version past 2^53', { ...ok, if: { version: 2 ** 53 } }, '/if/version', 'safe-integer'],
    ['if absent false', { ...ok, if: { absent: false } }, '/if/absent', 'const'],
    ['if present "true"', { ...ok, if: { present: 'true' } }, '/if/present', 'const'],
    ['unknown top-level field', { ...ok, extra: true }, '/extra', 'unknown-field'],
    ['unknown field with / and ~ in its name', { ...ok, 'a/b~c': 1 }, '/a~1b~0c', 'unknown-field'],
    ['data key with / and ~ (RFC 6901 escaping)', withData({ 'a/b': { '~c~': 'x\u0000' } }), '/data/a~1b/~0c~0', 'no-nul'],
  ])('%s -> %s %s', (_name, raw, field, rule) => {
    expect(eventViolations(raw)).toEqual([{ field, rule }]);
  });
});

describe('validateEvent: if (conditional events)', () => {
  it.each<[unknown, unknown]>([
    [{ version: 0 }, { version: 0 }],
    [{ version: 9007199254740991 }, { version: 9007199254740991 }],
    [{ absent: true }, { absent: true }],
    [{ present: true }, { present: true }],
  ])('accepts if %j on any op', (condition, expected) => {
    expect(validateEvent({ ...ok, if: condition }, LIMITS).condition).toEqual(expected);
    expect(validateEvent({ id: 'u', op: 'delete', if: condition }, LIMITS).condition).toEqual(expected);
    expect(validateEvent({ ...withData({ n: 1 }, 'incr'), if: condition }, LIMITS).condition).toEqual(expected);
  });

  it('leaves an event without if unconditional', () => {
    expect('condition' in validateEvent(ok, LIMITS)).toBe(false);
  });

  it('names the batch event of a bad if', () => {
    expect(batchViolations({ events: [ok, { ...ok, if: { version: -2 } }] })).toEqual([{ field: '/events/1/if/version', rule: 'minimum' }]);
  });
});

describe('validateEvent: the per-field ops', () => {
  it.each([
    ['max', { n: -1.5, m: 0 }],
    ['min', { n: 9007199254740991 }],
    ['append', { log: [1, 'a', { o: [null] }, []] }],
    ['addToSet', { tags: ['a', 1, true, null] }],
    ['removeFromSet', { tags: [] }],
  ])('accepts %s with %j', (op, data) => {
    expect(validateEvent(withData(data, op), LIMITS)).toMatchObject({ op, data });
  });

  it('gives an append without keepLast the configured maximum, so the record carries its bound', () => {
    expect(validateEvent(withData({ log: [1] }, 'append'), { ...LIMITS, appendKeepLastMax: 7 }).keepLast).toBe(7);
  });

  it.each([1, 1000])('accepts keepLast %d (both edges)', (keepLast) => {
    expect(validateEvent({ ...withData({ log: [1] }, 'append'), keepLast }, LIMITS).keepLast).toBe(keepLast);
  });

  it.each([1, 253402300799999])('accepts ts %d on set and merge (both edges), as the event time', (ts) => {
    expect(validateEvent({ ...ok, ts }, LIMITS)).toMatchObject({ eventTime: ts });
    expect(validateEvent({ ...withData({ a: 1 }, 'merge'), ts }, LIMITS)).toMatchObject({ eventTime: ts });
  });

  it.each([1, 315360000000])('accepts ttlMs %d (both edges) on every op but delete', (ttlMs) => {
    for (const op of ['set', 'merge', 'incr', 'max', 'min', 'append', 'addToSet', 'removeFromSet']) {
      const data = op === 'append' || op.endsWith('Set') ? { f: [1] } : { f: 1 };
      expect(validateEvent({ ...withData(data, op), ttlMs }, LIMITS)).toMatchObject({ ttlMs });
    }
    expect(validateEvent(ok, LIMITS)).not.toHaveProperty('ttlMs');
  });

  it('leaves keepLast off every other op', () => {
    expect(validateEvent(withData({ n: 1 }, 'max'), LIMITS)).not.toHaveProperty('keepLast');
  });
});

describe('validateEvent: limits', () => {
  it.each([
    ['256 ASCII bytes', 'x'.repeat(256)],
    ['64 x € (192 bytes)', '€'.repeat(64)],
    ['85 x € + 1 (256 bytes)', '€'.repeat(85) + 'x'],
    ['astral characters', '😀'.repeat(64)],
  ])('accepts an id of %s', (_name, id) => {
    expect(validateEvent({ ...ok, id }, LIMITS).id).toBe(id);
  });

  it('accepts an eventId of 128 bytes', () => {
    expect(validateEvent({ ...ok, eventId: 'e'.repeat(128) }, LIMITS).eventId).toHaveLength(128);
  });

  it('accepts data 32 levels deep, arrays counting as levels', () => {
    expect(() => validateEvent(withData(nested(32)), LIMITS)).not.toThrow();
    // data (1) > array (2) > 31 nested objects (3..33)
    expect(eventViolations(withData({ a: [nested(31)] }))).toEqual([
      { field: '/data/a/0' + '/a'.repeat(30), rule: 'max-depth' },
    ]);
  });

  it('rejects a 100,000-deep nesting with max-depth, without a stack overflow', () => {
    let deepObject: JsonObject = {};
    let deepArray: unknown = [];
    for (let i = 0; i < 100_000; i++) {
      deepObject = { a: deepObject };
      deepArray = [deepArray];
    }
    expect(eventViolations(withData(deepObject))).toEqual([{ field: pointerAtDepth(33), rule: 'max-depth' }]);
    expect(eventViolations(withData({ a: deepArray }))).toEqual([{ field: '/data/a' + '/0'.repeat(31), rule: 'max-depth' }]);
  });

  it('accepts data of exactly 64 KiB as JSON', () => {
    expect(JSON.stringify({ s: 'x'.repeat(65528) })).toHaveLength(65536);
    expect(() => validateEvent(withData({ s: 'x'.repeat(65528) }), LIMITS)).not.toThrow();
  });

  it('counts data size in UTF-8 bytes, not characters', () => {
    // 21,843 x € = 65,529 bytes, plus {"s":""} = 65,537 bytes (but only 21,851 characters)
    expect(eventViolations(withData({ s: '€'.repeat(21843) }))).toEqual([{ field: '/data', rule: 'max-bytes' }]);
  });

  it('accepts the largest safe integers and fractions', () => {
    const data = JSON.parse('{"a":9007199254740991,"b":-9007199254740991,"c":0.1,"d":-1.5e-300}');
    expect(validateEvent(withData(data), LIMITS).data).toEqual(data);
  });
});

describe('validateEvent: valid events', () => {
  it.each<[string, Record<string, unknown>]>([
    ['set', { id: 'user-1', op: 'set', data: { name: 'Ada', tags: ['a', 'b'], n: 1.5, ok: true, none: null, o: { x: '€😀' } } }],
    ['merge with null (removal)', { id: 'user-1', op: 'merge', data: { name: null, o: { x: 1 } }, eventId: 'evt-1' }],
    ['incr', { id: 'user-1', op: 'incr', data: { n: -2, m: 0.25 } }],
    ['delete', { id: 'user-1', op: 'delete', eventId: 'evt-2' }],
  ])('%s passes and comes back equal', (_name, raw) => {
    expect(validateEvent(raw, LIMITS)).toEqual(raw);
  });
});

describe('validateEvent: errors', () => {
  it('names every broken rule of an event, not just the first', () => {
    expect(eventViolations({ id: '', op: 'nope', eventId: 3, extra: 1 })).toEqual(
      expect.arrayContaining([
        { field: '/extra', rule: 'unknown-field' },
        { field: '/id', rule: 'non-empty' },
        { field: '/op', rule: 'enum' },
        { field: '/eventId', rule: 'type' },
      ]),
    );
  });

  it('is a non-retriable invalid_event error whose message names the field', () => {
    let caught: unknown;
    try {
      validateEvent({ ...ok, op: 'upsert' }, LIMITS);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ name: 'ValidationError', code: 'invalid_event', retriable: false });
    expect((caught as Error).message).toContain('/op');
  });
});

describe('validateBatch', () => {
  const good = (i: number) => ({ id: `user-${i}`, op: 'incr', data: { n: i } });

  it.each<[string, unknown, Found]>([
    ['body an array', [good(0)], [{ field: '', rule: 'type' }]],
    ['body a string', 'events', [{ field: '', rule: 'type' }]],
    ['body null', null, [{ field: '', rule: 'type' }]],
    ['events missing', {}, [{ field: '/events', rule: 'required' }]],
    ['events not an array', { events: { 0: good(0) } }, [{ field: '/events', rule: 'type' }]],
    ['events empty', { events: [] }, [{ field: '/events', rule: 'min-items' }]],
    ['a bad event at index 3', { events: [good(0), good(1), good(2), { ...good(3), op: 'x' }, good(4)] }, [{ field: '/events/3/op', rule: 'enum' }]],
    ['a bad key deep in event 1', { events: [good(0), withData({ a: { 'b/c': '\u0000' } })] }, [{ field: '/events/1/data/a/b~1c', rule: 'no-nul' }]],
    ['an unknown field beside events', { events: [good(0)], extra: 1 }, [{ field: '/extra', rule: 'unknown-field' }]],
  ])('%s', (_name, raw, expected) => {
    expect(batchViolations(raw)).toEqual(expected);
  });

  it('rejects more than limits.batchMaxEvents events, and accepts exactly that many', () => {
    const limits = { ...LIMITS, batchMaxEvents: 3 };
    expect(batchViolations({ events: [good(0), good(1), good(2), good(3)] }, limits)).toEqual([{ field: '/events', rule: 'max-items' }]);
    expect(validateBatch({ events: [good(0), good(1), good(2)] }, limits)).toHaveLength(3);
  });

  it('rejects the whole batch for one bad event and reports every bad event', () => {
    const events = [good(0), { ...good(1), id: '' }, good(2), { ...good(3), data: { n: 'x' } }];
    expect(batchViolations({ events })).toEqual([
      { field: '/events/1/id', rule: 'non-empty' },
      { field: '/events/3/data/n', rule: 'type' },
    ]);
  });

  it('stops at 50 violations for a batch of bad events', () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({ ...good(i), op: 'bad' }));
    const found = batchViolations({ events });
    expect(found).toHaveLength(50);
    expect(found[49]).toEqual({ field: '/events/49/op', rule: 'enum' });
  });

  it('returns the valid events in order', () => {
    const events = [good(0), { id: 'user-1', op: 'delete', eventId: 'e' }, good(2)];
    expect(validateBatch({ events }, LIMITS)).toEqual(events);
  });
});
