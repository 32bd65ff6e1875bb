import type { StampedEvent } from '../event-contract/change-event';
import { ParkedIds, type ParkedPlan } from './parked-ids';

const at = (offset: number) => ({ event: { id: 'x', op: 'delete', ts: 1000 + offset, src: 's' } as StampedEvent, offset });
const summary = (plan: ParkedPlan) => ({ cleared: plan.cleared, parked: plan.parked.map((p) => p.id), removed: plan.removed, events: plan.events.map((e) => e.offset) });

describe('ParkedIds plans', () => {
  it('writes a new parking whole, then only what was appended since the last commit', () => {
    const parked = new ParkedIds();
    parked.park('x', at(3), 'refused');
    parked.append('x', at(4));
    const first = parked.plan();
    expect(summary(first)).toEqual({ cleared: [], parked: ['x'], removed: [], events: [3, 4] });
    parked.append('x', at(6)); // folded while the first plan was being written
    parked.markCommitted(first);
    expect(summary(parked.plan())).toEqual({ cleared: [], parked: ['x'], removed: [], events: [6] });
  });

  it('a release clears the stored events; parked again before the commit, every event is written again', () => {
    const parked = new ParkedIds([{ id: 'x', reason: 'r', refusedOffset: 3, parkedAt: 1003, events: [at(3), at(4)] }]);
    expect(ParkedIds.isEmpty(parked.plan())).toBe(true);
    expect(parked.release('x', 'skip-refused')?.map((e) => e.offset)).toEqual([4]);
    expect(summary(parked.plan())).toEqual({ cleared: ['x'], parked: [], removed: ['x'], events: [] });
    parked.park('x', at(4), 'again');
    const plan = parked.plan();
    expect(summary(plan)).toEqual({ cleared: ['x'], parked: ['x'], removed: [], events: [4] });
    parked.markCommitted(plan);
    expect(ParkedIds.isEmpty(parked.plan())).toBe(true);
  });

  it('a plan taken before a release leaves the release for the next plan', () => {
    const parked = new ParkedIds();
    parked.park('x', at(3), 'refused');
    const plan = parked.plan();
    parked.release('x', 'discard');
    parked.markCommitted(plan);
    expect(summary(parked.plan())).toEqual({ cleared: ['x'], parked: [], removed: ['x'], events: [] });
  });

  it('counts the parked IDs and their oldest refused event time', () => {
    const parked = new ParkedIds();
    expect(parked.oldestParkedAt).toBeUndefined();
    parked.park('x', at(9), 'r');
    parked.park('y', { ...at(2), event: { ...at(2).event, id: 'y' } }, 'r');
    expect({ count: parked.count, oldest: parked.oldestParkedAt }).toEqual({ count: 2, oldest: 1002 });
    expect(parked.release('nobody', 'replay')).toBeUndefined();
    expect(parked.release('x', 'replay', 3)).toBeUndefined(); // x was parked at 9: a request for another parking is stale
    expect(parked.release('x', 'replay', 9)).toHaveLength(1);
  });
});
