import type { StampedEvent } from '../event-contract/change-event';
import { type EntityRecord, emptyRecord } from './entity-record';
import { freshRecord } from './fresh-record';
import { PartitionBuffer } from './partition-buffer';

const event = (e: Partial<StampedEvent> & Pick<StampedEvent, 'op'>): StampedEvent => ({ id: 'a', ts: 1000, src: 'p', ...e }) as StampedEvent;

describe('freshRecord', () => {
  it('applies the waiting events onto the stored row, leaving the stored row untouched', () => {
    const stored: EntityRecord = { ...emptyRecord('a', 2), state: { n: 1, name: 'x' }, version: 3, lastOffset: 7, recentEventIds: ['e1'] };
    const waiting = [
      { event: event({ op: 'incr', data: { n: 2 }, eventId: 'e2' }), offset: 9 },
      { event: event({ op: 'incr', data: { n: 5 }, eventId: 'e1' }), offset: 10 }, // a retry: not applied again
      { event: event({ op: 'merge', data: { name: null } }), offset: 11 },
    ];
    const fresh = freshRecord('a', 2, stored, waiting, 16);
    expect({ ...fresh, state: { ...fresh.state } }).toMatchObject({ state: { n: 3 }, version: 5, lastOffset: 11, recentEventIds: ['e1', 'e2'] });
    expect(stored).toMatchObject({ state: { n: 1, name: 'x' }, version: 3, recentEventIds: ['e1'] });
  });

  it('starts from an empty record when EVENTS has no row, and skips what cannot apply', () => {
    const waiting = [
      { event: event({ op: 'set', data: { n: Number.MAX_SAFE_INTEGER } }), offset: 0 },
      { event: event({ op: 'incr', data: { n: 1 } }), offset: 1 }, // leaves the safe range: the flush dead-letters it
    ];
    expect(freshRecord('a', 0, undefined, waiting, 16)).toMatchObject({ id: 'a', partition: 0, version: 1, lastOffset: 0, state: { n: Number.MAX_SAFE_INTEGER } });
  });

  it('equals what the buffer holds after the flush resolves the same waiting events', () => {
    const buffer = new PartitionBuffer({ partition: 0, nextOffset: 0, dedupeWindow: 2, maxCachedIds: 10 });
    const stored: EntityRecord = { ...emptyRecord('a', 0), state: { n: 1 }, version: 1, recentEventIds: ['x'] };
    buffer.fold(event({ op: 'incr', data: { n: 1 }, eventId: 'y' }), 0);
    buffer.fold(event({ op: 'incr', data: { n: 1 }, eventId: 'x' }), 1);
    buffer.fold(event({ op: 'incr', data: { n: 1 }, eventId: 'z' }), 2);
    const fresh = freshRecord('a', 0, stored, buffer.pendingEvents('a'), 2);
    buffer.resolvePending(new Map([['a', stored]]));
    expect(fresh).toEqual(buffer.peek('a'));
  });
});
