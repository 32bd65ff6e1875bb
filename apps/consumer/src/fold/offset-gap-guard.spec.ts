import { OffsetGapGuard, SEEKS_BEFORE_STOPPING } from './offset-gap-guard';

describe('OffsetGapGuard', () => {
  it('seeks back first (the kafkajs seek race), then stops at the gap instead of accepting it', () => {
    const guard = new OffsetGapGuard(2, undefined);
    for (let i = 0; i < SEEKS_BEFORE_STOPPING; i++) expect(guard.onRecordAbove(10, 15)).toBe('seek-back');
    expect(guard.gap).toBeUndefined();
    expect(guard.onRecordAbove(10, 15)).toBe('stop');
    expect(guard.gap).toEqual({ partition: 2, from: 10, to: 14, resumeAt: 15 });
    expect(guard.onRecordAbove(10, 15)).toBe('stop'); // and stays stopped
  });

  it('counts seeks per expected offset: a seek that lands resets the count', () => {
    const guard = new OffsetGapGuard(0, undefined);
    expect(guard.onRecordAbove(10, 20)).toBe('seek-back');
    expect(guard.onRecordAbove(10, 20)).toBe('seek-back');
    expect(guard.onRecordAbove(11, 20)).toBe('seek-back'); // the fold moved: a new suspicion
    expect(guard.gap).toBeUndefined();
  });

  it("moves past only the gap the operator named, once, and only after the seeks", () => {
    const guard = new OffsetGapGuard(1, 15);
    for (let i = 0; i < SEEKS_BEFORE_STOPPING; i++) expect(guard.onRecordAbove(10, 15)).toBe('seek-back');
    expect(guard.onRecordAbove(10, 15)).toBe('accept');
    for (let i = 0; i < SEEKS_BEFORE_STOPPING; i++) expect(guard.onRecordAbove(30, 40)).toBe('seek-back');
    expect(guard.onRecordAbove(30, 40)).toBe('stop'); // a later gap is not covered by the setting
  });

  it('a setting naming another offset does not move past the gap', () => {
    const guard = new OffsetGapGuard(1, 16);
    expect(guard.onLogStartAbove(10, 15)).toBe('stop');
    expect(guard.gap).toEqual({ partition: 1, from: 10, to: 14, resumeAt: 15 });
  });

  it('at the claim, a log start above OPLOG is a gap at once (no seek can help), or accepted when named', () => {
    expect(new OffsetGapGuard(0, undefined).onLogStartAbove(0, 100)).toBe('stop');
    expect(new OffsetGapGuard(0, 100).onLogStartAbove(0, 100)).toBe('accept');
  });
});
