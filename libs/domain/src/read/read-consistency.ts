import { ValidationError } from '../event-contract/validation-error';

/**
 * How fresh a read must be:
 * - `eventual` (the default): EVENTS as the last flush left it;
 * - `fresh`: the owning consumer's in-memory fold, which is what EVENTS will hold after its next
 *   flush; falls back to EVENTS when the owner does not answer in time.
 */
export type ReadConsistency = 'eventual' | 'fresh';

const CONSISTENCIES: readonly ReadConsistency[] = ['eventual', 'fresh'];

/** `consistency` query parameter (or gRPC field); absent or '' means eventual. */
export function parseReadConsistency(raw: string | undefined, field = 'consistency'): ReadConsistency {
  if (raw === undefined || raw === '') return 'eventual';
  if ((CONSISTENCIES as readonly string[]).includes(raw)) return raw as ReadConsistency;
  throw new ValidationError([{ field, rule: 'enum', message: `must be one of ${CONSISTENCIES.join(', ')}` }]);
}

// Grammar: a non-negative decimal integer without sign or leading zeros (a `version` as a read returned it).
const VERSION = /^(0|[1-9]\d{0,15})$/;

/**
 * `minVersion`: the highest `version` of this ID the client has seen. A read never answers with a
 * lower version (monotonic reads), whichever path answers it; absent means no floor.
 */
export function parseMinVersion(raw: string | undefined, field = 'minVersion'): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = VERSION.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new ValidationError([{ field, rule: 'format', message: 'must be a non-negative integer: the highest version of this ID already read' }]);
  }
  return value;
}
