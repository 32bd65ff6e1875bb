import type { Violation } from './validation-error';
import { pointerToken } from './validation-error';
import { hasLoneSurrogate, hasNul } from './text-rules';

/** Keys that would reach an object's prototype in a naive merge (prototype-pollution CVEs of merge-patch packages). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A value the walk will look at: where it sits is kept as its parent and its key, not as a pointer string. */
interface Visit {
  value: unknown;
  parent: Visit | undefined;
  token: string | number;
  depth: number;
}

/** The JSON pointer of a visited value, built only when a rule is broken: a valid value builds none. */
function pointerOf(visit: Visit, rootPointer: string): string {
  let pointer = '';
  for (let v: Visit = visit; v.parent !== undefined; v = v.parent) pointer = `/${pointerToken(v.token)}${pointer}`;
  return rootPointer + pointer;
}

/** The most UTF-8 bytes a JSON string of this many UTF-16 units can take: two quotes, and six (`\u001f`, `\udc00`) per unit at most. */
const stringBytesAtMost = (length: number): number => 2 + 6 * length;
/** The longest number JSON.stringify writes (`-1.2345678901234567e-308` is 24), with room to spare. */
const NUMBER_BYTES_AT_MOST = 32;

/**
 * Checks a parsed JSON value for what PostgreSQL jsonb or our fold cannot take, without recursion
 * (an explicit stack), stopping at `maxDepth` so a hostile nesting costs O(maxDepth) per path.
 * Depth counts containers: `{}` is depth 1, `{"a":{}}` depth 2. Returns an upper bound of the
 * UTF-8 bytes of `JSON.stringify(root)`, so a caller with a size limit stringifies only a value the
 * bound does not already clear (infinite when the walk stopped at `maxViolations`).
 */
export function checkJsonValue(root: unknown, pointer: string, maxDepth: number, out: Violation[], maxViolations: number): number {
  const stack: Visit[] = [{ value: root, parent: undefined, token: '', depth: 1 }];
  let bytesAtMost = 0;
  while (stack.length > 0 && out.length < maxViolations) {
    const visit = stack.pop()!;
    const { value, depth } = visit;
    if (typeof value === 'string') {
      bytesAtMost += stringBytesAtMost(value.length);
      const broken = stringRule(value);
      if (broken) out.push({ field: pointerOf(visit, pointer), ...broken });
    } else if (typeof value === 'number') {
      bytesAtMost += NUMBER_BYTES_AT_MOST;
      const broken = numberRule(value);
      if (broken) out.push({ field: pointerOf(visit, pointer), ...broken });
    } else if (value !== null && typeof value === 'object') {
      if (depth > maxDepth) {
        out.push({ field: pointerOf(visit, pointer), rule: 'max-depth', message: `nesting deeper than ${maxDepth} levels` });
        continue;
      }
      if (Array.isArray(value)) {
        bytesAtMost += 2 + value.length; // brackets and commas
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], parent: visit, token: i, depth: depth + 1 });
        continue;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        out.push({ field: pointerOf(visit, pointer), rule: 'type', message: 'must be a plain JSON object' });
        continue;
      }
      const keys = Object.keys(value);
      bytesAtMost += 2 + keys.length; // braces and commas
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        bytesAtMost += stringBytesAtMost(key.length) + 1; // the key and its colon
        const broken = keyRule(key);
        if (broken) out.push({ field: `${pointerOf(visit, pointer)}/${pointerToken(key)}`, ...broken });
        if (FORBIDDEN_KEYS.has(key)) continue; // its value is not looked at
        stack.push({ value: (value as Record<string, unknown>)[key], parent: visit, token: key, depth: depth + 1 });
      }
    } else if (typeof value === 'boolean' || value === null) {
      bytesAtMost += 5;
    } else {
      out.push({ field: pointerOf(visit, pointer), rule: 'type', message: 'must be a JSON value' });
    }
  }
  // A walk cut short by maxViolations saw only part of the value: no bound.
  return stack.length === 0 ? bytesAtMost : Number.POSITIVE_INFINITY;
}

type BrokenRule = Omit<Violation, 'field'>;

function keyRule(key: string): BrokenRule | undefined {
  if (FORBIDDEN_KEYS.has(key)) return { rule: 'forbidden-key', message: `key "${key}" is not allowed` };
  if (hasNul(key)) return { rule: 'no-nul', message: 'keys must not contain U+0000' };
  if (hasLoneSurrogate(key)) return { rule: 'no-lone-surrogate', message: 'keys must be well-formed Unicode' };
  return undefined;
}

function stringRule(s: string): BrokenRule | undefined {
  if (hasNul(s)) return { rule: 'no-nul', message: 'strings must not contain U+0000 (PostgreSQL jsonb rejects it)' };
  if (hasLoneSurrogate(s)) return { rule: 'no-lone-surrogate', message: 'strings must be well-formed Unicode' };
  return undefined;
}

/** JSON.parse turns 1e400 into Infinity and rounds integers past 2^53: refuse both instead of storing a changed number. */
function numberRule(n: number): BrokenRule | undefined {
  if (!Number.isFinite(n)) return { rule: 'finite-number', message: 'numbers must be finite' };
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return { rule: 'safe-integer', message: 'integers must be within ±(2^53 - 1) to survive JSON round trips' };
  return undefined;
}
