import type { ReplicaChange } from './replica-change';
import { ReplicaState } from './replica-state';

const change = (id: string, version: number, state: Record<string, unknown> | null): ReplicaChange => ({
  id,
  version,
  deleted: state === null,
  state,
  partition: 0,
  offset: version,
  ts: 1_700_000_000_000 + version,
});

describe('ReplicaState', () => {
  it('keeps the highest version of each ID: duplicates and older versions are ignored', () => {
    const state = new ReplicaState();
    expect(state.apply(change('a', 2, { n: 2 }))).toBe(true);
    expect(state.apply(change('a', 2, { n: 2 }))).toBe(false);
    expect(state.apply(change('a', 1, { n: 1 }))).toBe(false);
    expect(state.get('a')).toEqual({ n: 2 });
    expect(state.apply(change('a', 5, { n: 5 }))).toBe(true);
    expect(state.get('a')).toEqual({ n: 5 });
  });

  it('hides an ID whose expiresAt (ttlMs) passed before its deletion arrives; a newer version without it shows again', () => {
    const state = new ReplicaState();
    state.apply({ ...change('s', 1, { user: 'ada' }), expiresAt: 5000 });
    expect(state.get('s', 4999)).toEqual({ user: 'ada' });
    expect(state.get('s', 5000)).toBeUndefined();
    expect(state.entry('s')?.version).toBe(1);
    state.apply(change('s', 3, { user: 'grace' })); // the revival (version 2 was the expiry's deletion)
    expect(state.get('s', 9000)).toEqual({ user: 'grace' });
  });

  it('counts and lists an expired ID no more than get() returns it, before and after its deletion arrives', () => {
    const state = new ReplicaState();
    state.apply({ ...change('s', 1, { user: 'ada' }), expiresAt: 5000 });
    state.apply(change('k', 1, { n: 1 }));
    expect(state.sizeAt(4999)).toBe(2);
    expect([...state.ids(4999)].sort()).toEqual(['k', 's']);
    expect(state.sizeAt(5000)).toBe(1);
    expect([...state.ids(5000)]).toEqual(['k']);
    state.apply(change('s', 2, null)); // the sweep's deletion: still one, not zero
    expect(state.sizeAt(5000)).toBe(1);
    state.apply({ ...change('s', 3, { user: 'grace' }), expiresAt: 8000 }); // revived, expiring again
    expect(state.sizeAt(7999)).toBe(2);
    expect(state.sizeAt(8000)).toBe(1);
    state.apply(change('s', 4, { user: 'grace' })); // a write without ttlMs after the expiry's deletion (5): never expires
    expect(state.sizeAt(1e15)).toBe(2);
  });

  it('a deletion hides the ID, keeps its version, and an older change cannot bring it back', () => {
    const state = new ReplicaState();
    state.apply(change('a', 1, { n: 1 }));
    state.apply(change('b', 1, { n: 1 }));
    expect(state.size).toBe(2);
    state.apply(change('a', 2, null));
    expect(state.get('a')).toBeUndefined();
    expect(state.entry('a')?.version).toBe(2);
    expect(state.size).toBe(1);
    expect(state.apply(change('a', 1, { n: 1 }))).toBe(false);
    expect(state.size).toBe(1);
    state.apply(change('a', 3, { again: true }));
    expect(state.size).toBe(2);
    expect([...state.ids()].sort()).toEqual(['a', 'b']);
  });
});
