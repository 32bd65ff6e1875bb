import type { JsonObject, JsonValue } from '../event-contract/change-event';

/**
 * RFC 7396 JSON Merge Patch. Returns a new value and never mutates `target` or `patch`.
 * Objects it builds have no prototype (`Object.create(null)`), so even a `__proto__` key that
 * slipped past validation would be an ordinary property, not a path to `Object.prototype`.
 * Recursion depth is bounded by the patch's depth, which validation caps at the edge.
 */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const result: JsonObject = Object.create(null);
  if (isObject(target)) {
    for (const key of Object.keys(target)) result[key] = target[key];
  }
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
