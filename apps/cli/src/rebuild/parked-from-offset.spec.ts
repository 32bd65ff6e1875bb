import type { ParkedId } from '@async2/domain';
import { inexactRelease, parkedAtOffset } from './parked-from-offset';

const parked = (id: string, ...offsets: number[]): ParkedId => ({
  id,
  reason: 'refused',
  refusedOffset: offsets[0],
  parkedAt: 1000 + offsets[0],
  events: offsets.map((offset) => ({ offset, event: { id, op: 'incr', data: { n: 1 }, ts: 1000 + offset, src: 'p' } })),
});

describe('parkedAtOffset', () => {
  const stored = [parked('a', 2, 5, 9), parked('b', 7, 8), parked('c', 9)];

  it('keeps the IDs refused below the offset with their kept events below it, and drops those refused at or above it', () => {
    expect(parkedAtOffset(stored, 8)).toEqual([parked('a', 2, 5), parked('b', 7)]);
    expect(parkedAtOffset(stored, 9)).toEqual([parked('a', 2, 5), parked('b', 7, 8)]);
    expect(parkedAtOffset(stored, 3)).toEqual([parked('a', 2)]);
  });

  it('from 0 starts with nothing parked; from the stored offset or beyond keeps the store whole', () => {
    expect(parkedAtOffset(stored, 0)).toEqual([]);
    expect(parkedAtOffset(stored, 10)).toEqual(stored);
    expect(parkedAtOffset(stored, 50)).toEqual(stored);
  });

  it('does not change the stored entries', () => {
    const copy = structuredClone(stored);
    parkedAtOffset(stored, 6)[0].events.push(parked('a', 99).events[0]);
    expect(stored).toEqual(copy);
  });
});

describe('inexactRelease', () => {
  it('names a release between the offset and the stored offset of a parking older than the offset, and the way out', () => {
    const reason = inexactRelease({ id: 'x', offset: 12, refusedOffset: 4 }, 10, 20);
    expect(reason).toBe(
      '--from-offset 10: the control record at offset 12 releases "x" parked at offset 4, before 10, and the parked store (as of offset 20) no longer holds ' +
        "that ID's parked state as of 10, so the rebuild cannot reproduce it. Rebuild from an offset at most 4 (--from-offset 0 is always exact)",
    );
    expect(inexactRelease({ id: 'x', offset: 10, refusedOffset: 9 }, 10, 11)).toMatch(/offset 10 releases "x" parked at offset 9/);
  });

  it('accepts a release of a parking the refold decides, one the stored rows do not reflect yet, and any from offset 0', () => {
    expect(inexactRelease({ id: 'x', offset: 12, refusedOffset: 10 }, 10, 20)).toBeUndefined();
    expect(inexactRelease({ id: 'x', offset: 20, refusedOffset: 4 }, 10, 20)).toBeUndefined();
    expect(inexactRelease({ id: 'x', offset: 12, refusedOffset: 0 }, 0, 20)).toBeUndefined();
  });
});
