import type { PendingChange } from '@async2/data-access';
import { newestPerId } from './newest-per-id';

const row = (seq: number, id: string, version: number): PendingChange => ({
  seq: String(seq),
  committedAt: new Date(0),
  change: { id, version, deleted: false, state: { v: version }, partition: 0, offset: seq, ts: 0 },
});

describe('newestPerId', () => {
  it('keeps each ID\'s newest change, in commit order', () => {
    const batch = [row(1, 'x', 9), row(2, 'y', 4), row(3, 'x', 10), row(4, 'z', 1), row(5, 'y', 5)];
    expect(newestPerId(batch).map((r) => `${r.change.id}@${r.change.version}`)).toEqual(['x@10', 'z@1', 'y@5']);
  });

  it('a batch published twice never puts an older version after a newer one', () => {
    const batch = [row(1, 'x', 9), row(2, 'x', 10), row(3, 'x', 11)];
    const topic = [...newestPerId(batch), ...newestPerId(batch)].map((r) => r.change.version);
    expect(topic).toEqual([11, 11]);
  });

  it('keeps a deletion when it is the newest', () => {
    const deleted = { ...row(2, 'x', 2), change: { id: 'x', version: 2, deleted: true, state: null, partition: 0, offset: 2, ts: 0 } };
    expect(newestPerId([row(1, 'x', 1), deleted])).toEqual([deleted]);
  });
});
