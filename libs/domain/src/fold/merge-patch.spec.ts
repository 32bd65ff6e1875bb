import type { JsonObject, JsonValue } from '../event-contract/change-event';
import { mergePatch } from './merge-patch';

/** Results are prototype-less objects: compare them as JSON. */
const asJson = (v: JsonValue): unknown => JSON.parse(JSON.stringify(v));

describe('mergePatch', () => {
  // Known answers: RFC 7396 (JSON Merge Patch), Appendix A "Example Test Cases", every row in order.
  // The appendix has 15 rows of ORIGINAL / PATCH / RESULT.
  it.each<[string, string, string]>([
    ['{"a":"b"}', '{"a":"c"}', '{"a":"c"}'],
    ['{"a":"b"}', '{"b":"c"}', '{"a":"b","b":"c"}'],
    ['{"a":"b"}', '{"a":null}', '{}'],
    ['{"a":"b","b":"c"}', '{"a":null}', '{"b":"c"}'],
    ['{"a":["b"]}', '{"a":"c"}', '{"a":"c"}'],
    ['{"a":"c"}', '{"a":["b"]}', '{"a":["b"]}'],
    ['{"a":{"b":"c"}}', '{"a":{"b":"d","c":null}}', '{"a":{"b":"d"}}'],
    ['{"a":[{"b":"c"}]}', '{"a":[1]}', '{"a":[1]}'],
    ['["a","b"]', '["c","d"]', '["c","d"]'],
    ['{"a":"b"}', '["c"]', '["c"]'],
    ['{"a":"foo"}', 'null', 'null'],
    ['{"a":"foo"}', '"bar"', '"bar"'],
    ['{"e":null}', '{"a":1}', '{"e":null,"a":1}'],
    ['[1,2]', '{"a":"b","c":null}', '{"a":"b"}'],
    ['{}', '{"a":{"bb":{"ccc":null}}}', '{"a":{"bb":{}}}'],
  ])('RFC 7396 A: %s patched with %s is %s', (original, patch, result) => {
    expect(asJson(mergePatch(JSON.parse(original), JSON.parse(patch)))).toEqual(JSON.parse(result));
  });

  it('keeps the order of existing keys and appends new ones', () => {
    const result = mergePatch({ b: 1, a: 2 }, { c: 3, b: 4 });
    expect(Object.keys(result as JsonObject)).toEqual(['b', 'a', 'c']);
  });

  it('treats a missing target as {} and ignores nulls for absent keys', () => {
    expect(asJson(mergePatch(undefined, { a: { b: null, c: 1 }, d: null }))).toEqual({ a: { c: 1 } });
  });

  it('mutates neither the target nor the patch', () => {
    const target: JsonObject = { keep: { deep: [1, 2] }, change: { x: 1, y: 2 }, drop: 'me' };
    const patch: JsonObject = { change: { x: null, z: { n: 3 } }, drop: null, add: [{ k: 'v' }] };
    const targetBefore = structuredClone(target);
    const patchBefore = structuredClone(patch);

    const result = mergePatch(target, patch);

    expect(target).toEqual(targetBefore);
    expect(patch).toEqual(patchBefore);
    expect(asJson(result)).toEqual({ keep: { deep: [1, 2] }, change: { y: 2, z: { n: 3 } }, add: [{ k: 'v' }] });
  });

  it('builds objects without a prototype, at every level', () => {
    const result = mergePatch({ a: { b: 1 } }, { a: { c: { d: 2 } } }) as JsonObject;
    const a = result.a as JsonObject;
    expect(Object.getPrototypeOf(result)).toBeNull();
    expect(Object.getPrototypeOf(a)).toBeNull();
    expect(Object.getPrototypeOf(a.c)).toBeNull();
  });

  describe('prototype pollution (keys that slipped past validation)', () => {
    afterEach(() => {
      // Clean up if a regression did pollute, so one failure does not cascade through the run.
      for (const key of ['polluted', 'isAdmin']) delete (Object.prototype as Record<string, unknown>)[key];
    });

    it('keeps an own "__proto__" key of the patch as an ordinary property', () => {
      const patch = JSON.parse('{"__proto__":{"polluted":"yes"},"a":1}') as JsonObject;
      expect(Object.keys(patch)).toContain('__proto__'); // JSON.parse makes it an own key

      const result = mergePatch({}, patch) as JsonObject;

      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(Object.getPrototypeOf(result)).toBeNull();
      expect(Object.keys(result)).toEqual(['__proto__', 'a']);
      expect(asJson(Object.getOwnPropertyDescriptor(result, '__proto__')?.value)).toEqual({ polluted: 'yes' });
    });

    it('merges into an own "__proto__" key of the target without touching Object.prototype', () => {
      const target = JSON.parse('{"__proto__":{"keep":1}}') as JsonObject;
      const patch = JSON.parse('{"__proto__":{"isAdmin":true}}') as JsonObject;

      const result = mergePatch(target, patch) as JsonObject;

      expect(Object.prototype).not.toHaveProperty('isAdmin');
      expect(asJson(Object.getOwnPropertyDescriptor(result, '__proto__')?.value)).toEqual({ keep: 1, isAdmin: true });
    });

    it('does not reach Object.prototype through "constructor"/"prototype"', () => {
      const patch = JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}') as JsonObject;

      const result = mergePatch({}, patch) as JsonObject;

      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(asJson(result)).toEqual({ constructor: { prototype: { polluted: 'yes' } } });
    });
  });
});
