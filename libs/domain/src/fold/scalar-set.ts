import type { JsonValue } from '../event-contract/change-event';

/** A JSON scalar: what a set field (addToSet / removeFromSet) holds. */
export type JsonScalar = null | boolean | number | string;

export function isScalar(value: JsonValue | undefined): value is JsonScalar {
  return value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string';
}

const RANK = { object: 0, boolean: 1, number: 2, string: 3 } as const;

/**
 * The one order of set members, so every replica and replay writes the same array: null, then
 * false, true, then numbers ascending, then strings by UTF-16 code units (JavaScript's `<`, not a
 * locale: a collation would differ between machines). 0 and -0 are one member, as JSON makes them.
 */
export function compareScalars(a: JsonScalar, b: JsonScalar): number {
  const ra = RANK[typeof a as keyof typeof RANK];
  const rb = RANK[typeof b as keyof typeof RANK];
  if (ra !== rb) return ra - rb;
  if (a === b || a === null) return 0;
  return (a as number | string | boolean) < (b as number | string | boolean) ? -1 : 1;
}

/** The field's current value as a set: an array of scalars counts as one (re-sorted), anything else as empty. */
export function asScalarSet(value: JsonValue | undefined): JsonScalar[] {
  if (!Array.isArray(value) || !value.every(isScalar)) return [];
  return sortedUnique(value as JsonScalar[]);
}

export function sortedUnique(members: readonly JsonScalar[]): JsonScalar[] {
  const sorted = [...members].sort(compareScalars);
  return sorted.filter((m, i) => i === 0 || compareScalars(sorted[i - 1], m) !== 0);
}

export function addToScalarSet(set: readonly JsonScalar[], members: readonly JsonScalar[]): JsonScalar[] {
  return sortedUnique([...set, ...members]);
}

export function removeFromScalarSet(set: readonly JsonScalar[], members: readonly JsonScalar[]): JsonScalar[] {
  return set.filter((m) => !members.some((r) => compareScalars(m, r) === 0));
}
