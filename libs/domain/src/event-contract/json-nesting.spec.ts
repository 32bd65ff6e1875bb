import fc from 'fast-check';
import { bodyMaxDepth, nestsDeeperThan } from './json-nesting';

/** Nesting depth of a parsed value, containers only ({} is 1), for comparison. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0);
}

describe('nestsDeeperThan', () => {
  it.each<[string, string, number, boolean]>([
    ['a scalar', '42', 0, false],
    ['{} at depth 1', '{}', 1, false],
    ['{} past depth 0', '{}', 0, true],
    ['[[[]]] at 3', '[[[]]]', 3, false],
    ['[[[]]] past 2', '[[[]]]', 2, true],
    ['brackets inside a string do not count', '{"a":"[[[[{{{{"}', 1, false],
    ['an escaped quote does not end the string', '{"a":"\\"[[[["}', 1, false],
    ['an escaped backslash before the closing quote', '{"a":"\\\\","b":[[1]]}', 2, true],
    ['siblings do not add up', '[[],[],[[]]]', 3, false],
    ['a million levels, answered at the first one past the cap', '['.repeat(1_000_000) + ']'.repeat(1_000_000), 35, true],
  ])('%s', (_name, text, maxDepth, expected) => {
    expect(nestsDeeperThan(text, maxDepth)).toBe(expected);
  });

  it('agrees with the depth of the parsed value for any JSON (fast-check)', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (text, maxDepth) => {
        expect(nestsDeeperThan(text, maxDepth)).toBe(depthOf(JSON.parse(text)) > maxDepth);
      }),
      { numRuns: 2000 },
    );
  });

  it('lets a batch body through whose data is exactly at the data cap', () => {
    const data = '{"a":'.repeat(31) + '{}' + '}'.repeat(31);
    expect(nestsDeeperThan(`{"events":[{"id":"x","op":"set","data":${data}}]}`, bodyMaxDepth(32))).toBe(false);
    expect(nestsDeeperThan(`{"events":[{"id":"x","op":"set","data":{"b":${data}}}]}`, bodyMaxDepth(32))).toBe(true);
  });
});
