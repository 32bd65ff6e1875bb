import { FoldPositionWaiters } from './fold-position-waiters';

describe('FoldPositionWaiters', () => {
  afterEach(() => jest.useRealTimers());

  it('answers at once when the position is already past the offset', async () => {
    const waiters = new FoldPositionWaiters();
    await expect(waiters.waitPast(4, 5, 1000)).resolves.toBe(true);
    expect(waiters.waiting).toBe(0);
  });

  it('wakes a waiter when the fold passes its offset, and not before', async () => {
    const waiters = new FoldPositionWaiters();
    const settled: boolean[] = [];
    void waiters.waitPast(10, 3, 60_000).then((r) => settled.push(r));
    waiters.advance(10); // offset 10 not folded yet: next offset 10 means 0..9 are
    await Promise.resolve();
    expect(settled).toEqual([]);
    waiters.advance(11);
    await Promise.resolve();
    expect(settled).toEqual([true]);
    expect(waiters.waiting).toBe(0);
  });

  it('gives up after its timeout with false, and cancelAll wakes the rest with false', async () => {
    jest.useFakeTimers();
    const waiters = new FoldPositionWaiters();
    const timedOut = waiters.waitPast(10, 3, 50);
    const cancelled = waiters.waitPast(10, 3, 60_000);
    jest.advanceTimersByTime(50);
    await expect(timedOut).resolves.toBe(false);
    expect(waiters.waiting).toBe(1);
    waiters.cancelAll();
    await expect(cancelled).resolves.toBe(false);
    expect(waiters.waiting).toBe(0);
  });

  it('a zero timeout does not wait', async () => {
    await expect(new FoldPositionWaiters().waitPast(10, 3, 0)).resolves.toBe(false);
  });
});
