import { ValidationError } from '../event-contract/validation-error';
import { formatChangeCursor, parseChangeCursor } from './change-cursor';

describe('change cursor', () => {
  it('formats in partition order and parses back', () => {
    const text = formatChangeCursor(new Map([[2, 4], [0, 17], [1, 0]]));
    expect(text).toBe('0:17,1:0,2:4');
    expect([...parseChangeCursor(text, 3)]).toEqual([[0, 17], [1, 0], [2, 4]]);
  });

  it.each([
    ['', 'pairs'],
    ['0:1', 'every partition'],
    ['0:1,1:2,3:0', 'does not exist'],
    ['0:1,0:2', 'named twice'],
    ['0:-1,1:0', 'pairs'],
    ['0:99999999999999999,1:0', 'pairs'],
    ['0:9999999999999999,1:0', 'out of range'],
    ['a:b,1:0', 'pairs'],
  ])('refuses %j naming the field and the rule (%s)', (raw, words) => {
    let error: unknown;
    try {
      parseChangeCursor(raw, 2, 'Last-Event-ID');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations[0]).toMatchObject({ field: 'Last-Event-ID', rule: 'change-cursor' });
    expect((error as ValidationError).message).toContain(words);
  });
});
