import type { JsonObject } from '../event-contract/change-event';
import { type FieldOp, reduceFields } from './field-reducers';

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('reduceFields: one table row per op and starting field', () => {
  it.each<[FieldOp, JsonObject | null, JsonObject, number, unknown]>([
    // max / min: a missing or non-numeric field is absent, not 0
    ['max', null, { n: -5 }, 0, { n: -5 }],
    ['max', { n: 3 }, { n: 7 }, 0, { n: 7 }],
    ['max', { n: 7 }, { n: 3 }, 0, { n: 7 }],
    ['max', { n: 7 }, { n: 7.5 }, 0, { n: 7.5 }],
    ['max', { n: 'text', keep: 1 }, { n: -2 }, 0, { n: -2, keep: 1 }],
    ['max', { n: null }, { n: -2 }, 0, { n: -2 }],
    ['min', null, { n: 5 }, 0, { n: 5 }],
    ['min', { n: 3 }, { n: 7 }, 0, { n: 3 }],
    ['min', { n: 7 }, { n: -3 }, 0, { n: -3 }],
    ['min', { n: [1] }, { n: 9 }, 0, { n: 9 }],
    ['max', { a: 1, b: 10 }, { a: 2, b: 2, c: 0 }, 0, { a: 2, b: 10, c: 0 }],
    // append: a non-array field is replaced by a new array; only the last keepLast stay
    ['append', null, { log: [1, 2] }, 10, { log: [1, 2] }],
    ['append', { log: [1, 2] }, { log: [3] }, 10, { log: [1, 2, 3] }],
    ['append', { log: [1, 2] }, { log: [3, 4] }, 3, { log: [2, 3, 4] }],
    ['append', { log: [1] }, { log: [2, 3, 4, 5] }, 2, { log: [4, 5] }],
    ['append', { log: 'x' }, { log: ['y'] }, 10, { log: ['y'] }],
    ['append', { log: { a: 1 } }, { log: [{ b: 2 }, [3], null] }, 10, { log: [{ b: 2 }, [3], null] }],
    ['append', { log: [1] }, { log: [] }, 10, { log: [1] }],
    ['append', { log: [1, 2, 3] }, { log: [] }, 1, { log: [3] }],
    // addToSet / removeFromSet: sorted, unique scalars
    ['addToSet', null, { tags: ['b', 'a', 'b'] }, 0, { tags: ['a', 'b'] }],
    ['addToSet', { tags: ['a', 'c'] }, { tags: ['b', 'a'] }, 0, { tags: ['a', 'b', 'c'] }],
    ['addToSet', { tags: 'a' }, { tags: ['z'] }, 0, { tags: ['z'] }],
    ['addToSet', { tags: [{ a: 1 }, 'x'] }, { tags: ['y'] }, 0, { tags: ['y'] }],
    ['addToSet', { tags: ['c', 'a', 'a'] }, { tags: [] }, 0, { tags: ['a', 'c'] }],
    ['addToSet', null, { s: ['b', 10, 2, true, null, false, 'B', 2, -0, 0] }, 0, { s: [null, false, true, 0, 2, 10, 'B', 'b'] }],
    ['removeFromSet', { tags: ['a', 'b', 'c'] }, { tags: ['b', 'x'] }, 0, { tags: ['a', 'c'] }],
    ['removeFromSet', { tags: [1, 2, 3] }, { tags: ['1', 2] }, 0, { tags: [1, 3] }],
    ['removeFromSet', { tags: ['a'] }, { tags: ['a'] }, 0, { tags: [] }],
    ['removeFromSet', null, { tags: ['a'] }, 0, { tags: [] }],
    ['removeFromSet', { tags: 7 }, { tags: [7] }, 0, { tags: [] }],
    // incr keeps its rules
    ['incr', { n: 1, s: 'x' }, { n: 2, m: 3 }, 0, { n: 3, s: 'x', m: 3 }],
  ])('%s on %j with %j (keepLast %d) gives %j', (op, current, operands, keepLast, expected) => {
    expect(plain(reduceFields(op, current, operands, keepLast))).toEqual(expected);
  });

  it('never mutates the current state or the operands', () => {
    const current = { log: [1], tags: ['a'] };
    const operands = { log: [2] };
    reduceFields('append', current, operands, 1);
    reduceFields('addToSet', current, { tags: ['b'] }, 0);
    expect(current).toEqual({ log: [1], tags: ['a'] });
    expect(operands).toEqual({ log: [2] });
  });

  it('gives the same set whatever order the members were added in (replicas agree)', () => {
    const members = ['m', 3, null, 'a', true, -1.5, 'Z', false];
    const forward = members.reduce<JsonObject | null>((s, m) => reduceFields('addToSet', s, { s: [m] }, 0) as JsonObject, null);
    const backward = [...members].reverse().reduce<JsonObject | null>((s, m) => reduceFields('addToSet', s, { s: [m] }, 0) as JsonObject, null);
    expect(plain(forward)).toEqual(plain(backward));
    expect(plain(forward)).toEqual({ s: [null, false, true, -1.5, 3, 'Z', 'a', 'm'] });
  });

  it('rejects an incr past the safe integers with the field name', () => {
    expect(reduceFields('incr', { n: Number.MAX_SAFE_INTEGER }, { n: 1 }, 0)).toMatch(/"n"/);
  });
});
