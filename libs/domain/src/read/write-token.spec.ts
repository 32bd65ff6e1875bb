import fc from 'fast-check';
import { ValidationError } from '../event-contract/validation-error';
import { formatWriteToken, parseWriteToken } from './write-token';

const PARTITIONS = 4;

function violationsOf(raw: string, partitionCount = PARTITIONS, field?: string): Array<{ field: string; rule: string }> {
  try {
    parseWriteToken(raw, partitionCount, field);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).violations.map(({ field, rule }) => ({ field, rule }));
  }
  throw new Error(`parseWriteToken(${JSON.stringify(raw)}) was expected to throw`);
}

describe('parseWriteToken', () => {
  it.each([
    ['0:0', 1, { partition: 0, offset: 0 }],
    ['3:12345', 4, { partition: 3, offset: 12345 }],
    ['11:9007199254740991', 12, { partition: 11, offset: Number.MAX_SAFE_INTEGER }],
  ])('reads %j with %i partitions', (raw, partitionCount, expected) => {
    expect(parseWriteToken(raw, partitionCount)).toEqual(expected);
  });

  it.each([
    ['abc'],
    [''],
    ['1'],
    ['1:'],
    [':1'],
    ['1:-1'],
    ['-1:1'],
    ['+1:1'],
    ['1:2:3'],
    ['01:2'],
    ['1:02'],
    ['1.0:2'],
    ['1:1e3'],
    [' 1:2'],
    ['1:2\n'],
    ['１:２'], // full-width digits
    ['0:99999999999999999'], // 17 digits: past any Kafka offset a JS number holds exactly
    ['99999999999:0'], // 11 digits
  ])('rejects %j as format', (raw) => {
    expect(violationsOf(raw)).toEqual([{ field: 'after', rule: 'format' }]);
  });

  it('rejects an offset past 2^53 - 1, which a JS number cannot hold exactly', () => {
    expect(violationsOf('0:9007199254740993')).toEqual([{ field: 'after', rule: 'format' }]);
  });

  it.each([
    ['4:0', 4],
    ['1:0', 1],
    ['4294967295:7', 12],
  ])('rejects %j with %i partitions as unknown-partition', (raw, partitionCount) => {
    expect(violationsOf(raw, partitionCount)).toEqual([{ field: 'after', rule: 'unknown-partition' }]);
  });

  it('names the field it was given', () => {
    expect(violationsOf('nope', PARTITIONS, 'query.after')).toEqual([{ field: 'query.after', rule: 'format' }]);
  });
});

describe('formatWriteToken', () => {
  it('writes <partition>:<offset>', () => {
    expect(formatWriteToken({ partition: 3, offset: 12345 })).toBe('3:12345');
  });

  it('round-trips through parseWriteToken for every partition and safe offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }).chain((count) =>
          fc.record({ count: fc.constant(count), partition: fc.integer({ min: 0, max: count - 1 }), offset: fc.maxSafeNat() }),
        ),
        ({ count, partition, offset }) => {
          expect(parseWriteToken(formatWriteToken({ partition, offset }), count)).toEqual({ partition, offset });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
