import { ExpirySweep } from './expiry-sweep';

describe('ExpirySweep: when a flush asks EVENTS for expired rows', () => {
  it('asks at most every intervalMs, always with the clock it judges by, and passes the bound on', async () => {
    let now = 10_000;
    const asked: Array<[number, number, number]> = [];
    const sweep = new ExpirySweep({ findExpiredIds: async (partition, at, limit) => (asked.push([partition, at, limit]), ['a']) }, 4, { intervalMs: 1000, maxIds: 7, now: () => now });
    expect(sweep.due()).toBe(true);
    expect(await sweep.candidates()).toEqual({ now: 10_000, ids: ['a'] });
    now = 10_999;
    expect(sweep.due()).toBe(false);
    expect(await sweep.candidates()).toEqual({ now: 10_999, ids: [] }); // memory is still judged at this now
    now = 11_000;
    expect(sweep.due()).toBe(true);
    expect(await sweep.candidates()).toEqual({ now: 11_000, ids: ['a'] });
    expect(asked).toEqual([[4, 10_000, 7], [4, 11_000, 7]]);
  });

  it('asks again at the next flush when a query failed (the flush fails and is retried)', async () => {
    let fail = true;
    const sweep = new ExpirySweep({ findExpiredIds: async () => { if (fail) throw new Error('database down'); return []; } }, 0, { intervalMs: 60_000, maxIds: 1, now: () => 5 });
    await expect(sweep.candidates()).rejects.toThrow('database down');
    fail = false;
    expect(sweep.due()).toBe(true);
    await expect(sweep.candidates()).resolves.toEqual({ now: 5, ids: [] });
  });
});
