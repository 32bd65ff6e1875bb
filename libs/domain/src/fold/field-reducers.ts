import type { JsonObject, JsonValue } from '../event-contract/change-event';
import { addToScalarSet, asScalarSet, type JsonScalar, removeFromScalarSet } from './scalar-set';

/** The ops that change top-level fields one by one, each field by its own operand in `data`. */
export type FieldOp = 'incr' | 'max' | 'min' | 'append' | 'addToSet' | 'removeFromSet';

/**
 * Applies a per-field op to a copy of `current` (null: no state) and returns it, or the reason the
 * event cannot apply (it is rejected whole). Validation at the edge guarantees the operand shapes
 * (numbers for incr/max/min, arrays for append, arrays of scalars for the set ops).
 * - incr: a missing or non-numeric field counts as 0; a sum outside the safe numbers rejects;
 * - max / min: a missing or non-numeric field counts as absent: the operand replaces it;
 * - append: a non-array field counts as []; the operand's values are appended, then only the
 *   last `keepLast` kept;
 * - addToSet / removeFromSet: an array of scalars is the set, anything else the empty set; the
 *   result is sorted (compareScalars) and unique.
 */
export function reduceFields(op: FieldOp, current: JsonObject | null, operands: JsonObject, keepLast: number): JsonObject | string {
  const next: JsonObject = Object.create(null);
  if (current) for (const key of Object.keys(current)) next[key] = current[key];
  for (const key of Object.keys(operands)) {
    const reduced = reduceField(op, key, next[key], operands[key], keepLast);
    if (typeof reduced === 'string' && op === 'incr') return reduced;
    next[key] = reduced as JsonValue;
  }
  return next;
}

function reduceField(op: FieldOp, key: string, base: JsonValue | undefined, operand: JsonValue, keepLast: number): JsonValue | string {
  switch (op) {
    case 'incr': {
      if (typeof operand !== 'number') return `incr delta for "${key}" is not a number`;
      const sum = (typeof base === 'number' ? base : 0) + operand;
      if (!Number.isFinite(sum) || (Number.isInteger(sum) && !Number.isSafeInteger(sum))) return `incr of "${key}" leaves the safe number range`;
      return sum;
    }
    case 'max':
      return typeof base === 'number' && base >= (operand as number) ? base : operand;
    case 'min':
      return typeof base === 'number' && base <= (operand as number) ? base : operand;
    case 'append': {
      const values = [...(Array.isArray(base) ? base : []), ...(operand as JsonValue[])];
      return values.length > keepLast ? values.slice(values.length - keepLast) : values;
    }
    case 'addToSet':
      return addToScalarSet(asScalarSet(base), operand as JsonScalar[]);
    case 'removeFromSet':
      return removeFromScalarSet(asScalarSet(base), operand as JsonScalar[]);
  }
}
