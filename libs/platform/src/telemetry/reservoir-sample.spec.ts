import { ReservoirSample } from './reservoir-sample';

describe('ReservoirSample', () => {
  it('keeps every item while there are fewer than its capacity', () => {
    const sample = new ReservoirSample<number>(4);
    [1, 2, 3].forEach((n) => sample.offer(n));
    expect(sample.sample()).toEqual([1, 2, 3]);
    expect(sample.offered).toBe(3);
  });

  it('never holds more than its capacity, and only offered items', () => {
    const sample = new ReservoirSample<number>(128);
    for (let n = 0; n < 30_000; n++) sample.offer(n);
    expect(sample.sample()).toHaveLength(128);
    expect(new Set(sample.sample()).size).toBe(128);
    for (const n of sample.sample()) expect(n).toBeGreaterThanOrEqual(0);
    expect(sample.offered).toBe(30_000);
  });

  it('samples uniformly: late items are as likely to be kept as early ones', () => {
    // 2,000 rounds of 100 items into 10 slots: each item is kept with probability 1/10.
    const kept = new Array<number>(100).fill(0);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 2000; round++) {
      const sample = new ReservoirSample<number>(10, random);
      for (let n = 0; n < 100; n++) sample.offer(n);
      for (const n of sample.sample()) kept[n]++;
    }
    const firstHalf = kept.slice(0, 50).reduce((a, b) => a + b, 0);
    const secondHalf = kept.slice(50).reduce((a, b) => a + b, 0);
    expect(firstHalf + secondHalf).toBe(20_000);
    expect(Math.abs(firstHalf - secondHalf) / 20_000).toBeLessThan(0.05);
  });

  it('starts over after clear()', () => {
    const sample = new ReservoirSample<string>(2);
    sample.offer('a');
    sample.clear();
    sample.offer('b');
    expect(sample.sample()).toEqual(['b']);
    expect(sample.offered).toBe(1);
  });
});
