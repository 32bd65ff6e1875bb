import type { EntityRecord } from '@async2/domain';
import { flushRowsCopyText } from './flush-rows';

// COPY's text format: one line per row, fields split by tabs, \N for NULL, and a backslash, tab,
// newline or carriage return inside a field written as \\, \t, \n, \r. The round trip through
// PostgreSQL is in flush-writer.int.spec.ts; this pins the encoding itself.

const record = (overrides: Partial<EntityRecord> = {}): EntityRecord => ({
  id: 'a',
  state: { n: 1 },
  deleted: false,
  version: 3,
  partition: 2,
  lastOffset: 41,
  eventTs: 1_700_000_000_123,
  recentEventIds: ['e-1'],
  ...overrides,
});

describe('flushRowsCopyText', () => {
  it('writes one line per record, its ten fields in the table order, NULL as \\N', () => {
    expect(flushRowsCopyText([record(), record({ id: 'b', fieldTimes: { lastSet: 5, fields: { n: 5 } }, expiresAt: 1_800_000_000_000 })])).toBe(
      'a\t{"n":1}\tfalse\t3\t2\t41\t1700000000123\t["e-1"]\t\\N\t\\N\n' +
        'b\t{"n":1}\tfalse\t3\t2\t41\t1700000000123\t["e-1"]\t{"lastSet":5,"fields":{"n":5}}\t1800000000000\n',
    );
  });

  it('writes a tombstone with a NULL state, whatever state it carries', () => {
    expect(flushRowsCopyText([record({ deleted: true, state: { n: 1 } })])).toBe('a\t\\N\ttrue\t3\t2\t41\t1700000000123\t["e-1"]\t\\N\t\\N\n');
  });

  it('escapes the backslash, tab, newline and carriage return in every text field, and nothing else', () => {
    const line = flushRowsCopyText([record({ id: 'x\\y\tz\n\r"é', state: { s: 'a\\b "q"\tc' }, recentEventIds: ['\\N'] })]);
    expect(line.split('\t')).toEqual(['x\\\\y\\tz\\n\\r"é', '{"s":"a\\\\\\\\b \\\\"q\\\\"\\\\tc"}', 'false', '3', '2', '41', '1700000000123', '["\\\\\\\\N"]', '\\N', '\\N\n']);
  });

  it('writes nothing for no records', () => {
    expect(flushRowsCopyText([])).toBe('');
  });
});
