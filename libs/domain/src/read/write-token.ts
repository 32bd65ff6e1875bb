import type { WritePosition } from '../event-contract/change-event';
import { ValidationError } from '../event-contract/validation-error';

// Grammar: <partition>:<offset>, both non-negative decimal integers without sign or leading zeros,
// as returned in an accepted event's answer. Offsets are kept as JS numbers (exact below 2^53).
const TOKEN = /^(0|[1-9]\d{0,9}):(0|[1-9]\d{0,15})$/;

/** Parses the `after` read-your-writes token; `partitionCount` bounds the partition. */
export function parseWriteToken(raw: string, partitionCount: number, field = 'after'): WritePosition {
  const match = TOKEN.exec(raw);
  if (!match) {
    throw new ValidationError([{ field, rule: 'format', message: 'must be <partition>:<offset>, as returned by a publish' }]);
  }
  const partition = Number(match[1]);
  const offset = Number(match[2]);
  if (partition >= partitionCount) {
    throw new ValidationError([{ field, rule: 'unknown-partition', message: `partition must be below ${partitionCount}` }]);
  }
  if (!Number.isSafeInteger(offset)) {
    throw new ValidationError([{ field, rule: 'format', message: 'offset is out of range' }]);
  }
  return { partition, offset };
}

export function formatWriteToken(position: WritePosition): string {
  return `${position.partition}:${position.offset}`;
}
