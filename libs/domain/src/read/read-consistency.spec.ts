import { ValidationError } from '../event-contract/validation-error';
import { parseMinVersion, parseReadConsistency } from './read-consistency';

function violationOf(run: () => unknown): { field: string; rule: string } {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const [{ field, rule }] = (e as ValidationError).violations;
    return { field, rule };
  }
  throw new Error('expected a ValidationError');
}

describe('parseReadConsistency', () => {
  it('defaults to eventual and accepts fresh', () => {
    expect(parseReadConsistency(undefined)).toBe('eventual');
    expect(parseReadConsistency('')).toBe('eventual');
    expect(parseReadConsistency('eventual')).toBe('eventual');
    expect(parseReadConsistency('fresh')).toBe('fresh');
  });

  it.each(['FRESH', 'strong', ' fresh'])('refuses %j naming the field and the rule', (raw) => {
    expect(violationOf(() => parseReadConsistency(raw))).toEqual({ field: 'consistency', rule: 'enum' });
  });
});

describe('parseMinVersion', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['42', 42],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %j as %j', (raw, expected) => {
    expect(parseMinVersion(raw)).toBe(expected);
  });

  it.each(['-1', '01', '1.5', '1e3', 'x', '9007199254740992', '99999999999999999'])('refuses %j naming the field and the rule', (raw) => {
    expect(violationOf(() => parseMinVersion(raw, 'min_version'))).toEqual({ field: 'min_version', rule: 'format' });
  });
});
