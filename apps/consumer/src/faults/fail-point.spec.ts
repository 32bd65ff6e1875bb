import { FailPoints, parseFailPoint } from './fail-point';

describe('parseFailPoint', () => {
  it('reads a name with an optional pass', () => {
    expect(parseFailPoint('after-upsert')).toEqual({ name: 'after-upsert', onPass: 1, action: 'kill' });
    expect(parseFailPoint('during-claim@3')).toEqual({ name: 'during-claim', onPass: 3, action: 'kill' });
    expect(parseFailPoint('after-upsert@2:stop')).toEqual({ name: 'after-upsert', onPass: 2, action: 'stop' });
  });

  it.each(['nowhere', 'after-upsert@0', 'after-upsert@x', 'AFTER-UPSERT', 'after-upsert@1@2', 'after-upsert:pause', ''])('refuses %j with the rule', (raw) => {
    expect(parseFailPoint(raw)).toEqual(expect.stringMatching(/must be|must be 1 or more/));
  });
});

describe('FailPoints', () => {
  it('dies exactly on the configured pass of the configured point', () => {
    const died: string[] = [];
    const points = new FailPoints({ name: 'after-commit', onPass: 2, action: 'kill' }, (p) => died.push(p));
    points.reach('before-flush');
    points.reach('after-commit');
    expect(died).toEqual([]);
    points.reach('after-commit');
    expect(died).toEqual(['after-commit']);
    points.reach('after-commit');
    expect(died).toEqual(['after-commit']);
  });

  it('is inert without a spec', () => {
    const died: string[] = [];
    const points = new FailPoints(undefined, (p) => died.push(p));
    for (let i = 0; i < 5; i++) points.reach('after-upsert');
    expect(died).toEqual([]);
  });
});
