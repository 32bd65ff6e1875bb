import { livenessAfterFencing } from './fenced-liveness';

describe('livenessAfterFencing', () => {
  const fenced = { partition: 2, at: 1_000_000, reason: 'OPLOG shows epoch 3 owned by consumer-b' };

  it('is live when nothing is fenced, or within the grace period', () => {
    expect(livenessAfterFencing([], 30_000, 5_000_000)).toEqual({ live: true });
    expect(livenessAfterFencing([fenced], 30_000, 1_029_999)).toEqual({ live: true });
  });

  it('is not live once a partition has been fenced for the grace period, saying which and why', () => {
    const verdict = livenessAfterFencing([fenced, { partition: 5, at: 1_020_000, reason: 'later' }], 30_000, 1_031_000);
    expect(verdict).toEqual({
      live: false,
      reason: 'fenced longer than FENCED_LIVENESS_GRACE_MS (30000 ms): partition 2 for 31 s (OPLOG shows epoch 3 owned by consumer-b); restart to claim again',
      fenced: [{ ...fenced, forMs: 31_000 }],
    });
  });

  it('a grace period of 0 fails liveness as soon as it is fenced', () => {
    expect(livenessAfterFencing([fenced], 0, fenced.at)).toMatchObject({ live: false });
  });
});
