import type { Violation } from './validation-error';
import { pointerToken } from './validation-error';
import { hasLoneSurrogate, hasNul } from './text-rules';

/** Keys that would reach an object's prototype in a naive merge (prototype-pollution CVEs of merge-patch packages). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Checks a parsed JSON value for what PostgreSQL jsonb or our fold cannot take, without recursion
 * (an explicit stack), stopping at `maxDepth` so a hostile nesting costs O(maxDepth) per path.
 * Depth counts containers: `{}` is depth 1, `{"a":{}}` depth 2.
 */
export function checkJsonValue(root: unknown, pointer: string, maxDepth: number, out: Violation[], maxViolations: number): void {
  const stack: Array<{ value: unknown; pointer: string; depth: number }> = [{ value: root, pointer, depth: 1 }];
  while (stack.length > 0 && out.length < maxViolations) {
    const { value, pointer: at, depth } = stack.pop()!;
    if (typeof value === 'string') {
      checkString(value, at, out);
    } else if (typeof value === 'number') {
      checkNumber(value, at, out);
    } else if (value !== null && typeof value === 'object') {
      if (depth > maxDepth) {
        out.push({ field: at, rule: 'max-depth', message: `nesting deeper than ${maxDepth} levels` });
        continue;
      }
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], pointer: `${at}/${i}`, depth: depth + 1 });
        continue;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        out.push({ field: at, rule: 'type', message: 'must be a plain JSON object' });
        continue;
      }
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i];
        const keyPointer = `${at}/${pointerToken(key)}`;
        if (FORBIDDEN_KEYS.has(key)) {
          out.push({ field: keyPointer, rule: 'forbidden-key', message: `key "${key}" is not allowed` });
          continue;
        }
        if (hasNul(key)) out.push({ field: keyPointer, rule: 'no-nul', message: 'keys must not contain U+0000' });
        else if (hasLoneSurrogate(key)) out.push({ field: keyPointer, rule: 'no-lone-surrogate', message: 'keys must be well-formed Unicode' });
        stack.push({ value: (value as Record<string, unknown>)[key], pointer: keyPointer, depth: depth + 1 });
      }
    } else if (typeof value !== 'boolean' && value !== null) {
      out.push({ field: at, rule: 'type', message: 'must be a JSON value' });
    }
  }
}

function checkString(s: string, at: string, out: Violation[]): void {
  if (hasNul(s)) out.push({ field: at, rule: 'no-nul', message: 'strings must not contain U+0000 (PostgreSQL jsonb rejects it)' });
  else if (hasLoneSurrogate(s)) out.push({ field: at, rule: 'no-lone-surrogate', message: 'strings must be well-formed Unicode' });
}

/** JSON.parse turns 1e400 into Infinity and rounds integers past 2^53: refuse both instead of storing a changed number. */
export function checkNumber(n: number, at: string, out: Violation[]): void {
  if (!Number.isFinite(n)) out.push({ field: at, rule: 'finite-number', message: 'numbers must be finite' });
  else if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
    out.push({ field: at, rule: 'safe-integer', message: 'integers must be within ±(2^53 - 1) to survive JSON round trips' });
  }
}
