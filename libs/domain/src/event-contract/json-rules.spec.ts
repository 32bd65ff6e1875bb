import { checkJsonValue } from './json-rules';
import { utf8ByteLength } from './text-rules';
import type { Violation } from './validation-error';

const exactBytes = (value: unknown): number => utf8ByteLength(JSON.stringify(value));

function walk(value: unknown, maxViolations = 50): { bytesAtMost: number; out: Violation[] } {
  const out: Violation[] = [];
  return { bytesAtMost: checkJsonValue(value, '/data', 32, out, maxViolations), out };
}

describe('checkJsonValue: the upper bound of the JSON bytes', () => {
  // What JSON.stringify writes longest per character or per value.
  const values: Array<[string, unknown]> = [
    ['an empty object', {}],
    ['empty containers inside containers', { a: [], b: {}, c: [[], [{}]] }],
    ['control characters, escaped as \\u00XX', { s: '\u0001\u001f\u007f' }],
    ['quotes and backslashes, escaped', { 'k"\\': '"\\"\\' }],
    ['three-byte characters', { '€': '€€€' }],
    ['surrogate pairs, four bytes', { s: '😀😀', '😀': 1 }],
    ['the longest numbers JSON.stringify writes', JSON.parse('[-1.2345678901234567e-308, -0.0000012345678901234567, -9007199254740991, 5e-324, 0.30000000000000004, -1.2345678901234567e-7]')],
    ['booleans and nulls', [true, false, null, { a: null, b: true }]],
    ['many short keys', Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i % 3 ? i : `v${i}`]))],
    ['a bench event', { n: 1, name: 'abc', tags: ['x', 'y'] }],
  ];

  it.each(values)('is at least the exact size: %s', (_name, value) => {
    const { bytesAtMost, out } = walk(value);
    expect(out).toEqual([]);
    expect(bytesAtMost).toBeGreaterThanOrEqual(exactBytes(value));
  });

  it('is infinite when the walk stopped at maxViolations before seeing every value', () => {
    const { bytesAtMost, out } = walk({ a: '\u0000', b: '\u0000', c: 'x'.repeat(70_000) }, 1);
    expect(out).toHaveLength(1);
    expect(bytesAtMost).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('checkJsonValue: pointers are built for broken rules only, and point at the value', () => {
  it('names a value deep in arrays and objects, keys escaped', () => {
    expect(walk({ 'a/b': [1, { '~c': [Infinity] }] }).out).toEqual([{ field: '/data/a~1b/1/~0c/0', rule: 'finite-number', message: 'numbers must be finite' }]);
  });

  it('names a broken key under its own pointer', () => {
    expect(walk({ x: { ok: 1, ['k\u0000']: 2 } }).out.map((v) => [v.field, v.rule])).toEqual([['/data/x/k\u0000', 'no-nul']]);
    expect(walk(JSON.parse('{"x":{"__proto__":1}}')).out.map((v) => [v.field, v.rule])).toEqual([['/data/x/__proto__', 'forbidden-key']]);
  });
});
