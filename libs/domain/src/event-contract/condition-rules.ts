import type { EventCondition } from './change-event';
import { pointerToken, type Violation } from './validation-error';

const CONDITION_KEYS = ['version', 'absent', 'present'] as const;

/**
 * `if`: an object with exactly one of `version` (an integer 0..2^53-1: the version the client read),
 * `absent: true` (create only) or `present: true` (update only). Returns the typed condition, or
 * pushes each broken rule under `at` and returns undefined.
 */
export function checkCondition(value: unknown, at: string, out: Violation[]): EventCondition | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.push({ field: at, rule: 'type', message: 'must be an object with one of version, absent, present' });
    return undefined;
  }
  const raw = value as Record<string, unknown>;
  const before = out.length;
  const keys = Object.keys(raw);
  for (const key of keys) {
    if (!(CONDITION_KEYS as readonly string[]).includes(key)) out.push({ field: `${at}/${pointerToken(key)}`, rule: 'unknown-field', message: `unknown field; allowed: ${CONDITION_KEYS.join(', ')}` });
  }
  const named = CONDITION_KEYS.filter((k) => raw[k] !== undefined);
  if (named.length !== 1) {
    if (out.length === before) out.push({ field: at, rule: 'one-of', message: `must name exactly one of ${CONDITION_KEYS.join(', ')}` });
    return undefined;
  }
  const [key] = named;
  const operand = raw[key];
  if (key === 'version') {
    if (typeof operand !== 'number' || !Number.isInteger(operand)) out.push({ field: `${at}/version`, rule: 'type', message: 'must be an integer (the version read)' });
    else if (operand < 0) out.push({ field: `${at}/version`, rule: 'minimum', message: 'must be at least 0' });
    else if (!Number.isSafeInteger(operand)) out.push({ field: `${at}/version`, rule: 'safe-integer', message: 'must be at most 2^53-1' });
  } else if (operand !== true) {
    out.push({ field: `${at}/${key}`, rule: 'const', message: 'must be true' });
  }
  if (out.length > before) return undefined;
  return key === 'version' ? { version: operand as number } : key === 'absent' ? { absent: true } : { present: true };
}
