import { ProducerSequences } from './producer-sequences';

const HOUR = 3_600_000;
const options = { retentionMs: 24 * HOUR, maxProducers: 3 };
const T = 1_700_000_000_000;

describe('ProducerSequences', () => {
  it('admits each (src, seq) once: a copy at or below the mark is refused, whatever came between', () => {
    const s = new ProducerSequences([], options);
    expect([0, 1, 2].map((seq) => s.admit('p~a', seq, T))).toEqual([true, true, true]);
    // kafkajs resent the batch holding 1 and 2 at a leader election: stored again after 2.
    expect(s.admit('p~a', 1, T)).toBe(false);
    expect(s.admit('p~a', 2, T)).toBe(false);
    expect(s.admit('p~a', 3, T)).toBe(true);
    expect(s.refused).toBe(2);
  });

  it('keeps one mark per producer incarnation: the same seq of another src is another record', () => {
    const s = new ProducerSequences([], options);
    expect(s.admit('p~a', 5, T)).toBe(true);
    expect(s.admit('p~b', 5, T)).toBe(true);
    expect(s.admit('p~b', 5, T)).toBe(false);
  });

  it('admits records without an identity (other writers) every time', () => {
    const s = new ProducerSequences([{ src: 'p~a', seq: 9, ts: T }], options);
    expect(s.admit('p~a', undefined, T)).toBe(true);
    expect(s.admit('p~a', undefined, T)).toBe(true);
    expect(s.refused).toBe(0);
  });

  it('starts from the marks committed with the offset it resumes from', () => {
    const s = new ProducerSequences([{ src: 'p~a', seq: 41, ts: T }], options);
    expect(s.admit('p~a', 41, T)).toBe(false);
    expect(s.admit('p~a', 42, T)).toBe(true);
  });

  it('plans the changed marks; a mark changed after the plan stays for the next plan', () => {
    const s = new ProducerSequences([], options);
    s.admit('p~a', 1, T);
    s.admit('p~b', 1, T);
    const first = s.plan();
    expect(first).toEqual({ changed: [{ src: 'p~a', seq: 1, ts: T }, { src: 'p~b', seq: 1, ts: T }], forgotten: [] });
    s.admit('p~a', 2, T + 1);
    s.markCommitted(first);
    expect(s.plan()).toEqual({ changed: [{ src: 'p~a', seq: 2, ts: T + 1 }], forgotten: [] });
  });

  it('a plan that was not committed (the flush failed) is planned again', () => {
    const s = new ProducerSequences([], options);
    s.admit('p~a', 1, T);
    const lost = s.plan();
    expect(s.plan()).toEqual(lost);
  });

  it('forgets producers not heard from within the retention, measured in producer time, until a commit writes it', () => {
    const s = new ProducerSequences([{ src: 'old', seq: 3, ts: T }], options);
    s.admit('new', 0, T + 23 * HOUR);
    expect(s.plan().forgotten).toEqual([]);
    s.admit('new', 1, T + 25 * HOUR);
    const plan = s.plan();
    expect(plan.forgotten).toEqual(['old']);
    expect(s.markOf('old')).toBeUndefined();
    expect(s.plan().forgotten).toEqual(['old']); // not committed yet: still to delete
    s.markCommitted(plan);
    expect(s.plan().forgotten).toEqual([]);
  });

  it('a producer forgotten and heard from again is remembered, not deleted', () => {
    const s = new ProducerSequences([{ src: 'old', seq: 3, ts: T }], options);
    s.admit('new', 0, T + 25 * HOUR);
    s.plan();
    s.admit('old', 4, T + 25 * HOUR);
    expect(s.plan()).toEqual({ changed: [{ src: 'new', seq: 0, ts: T + 25 * HOUR }, { src: 'old', seq: 4, ts: T + 25 * HOUR }], forgotten: [] });
  });

  it('beyond maxProducers forgets the least recently heard', () => {
    const s = new ProducerSequences([], options);
    ['a', 'b', 'c', 'd', 'e'].forEach((src, i) => s.admit(src, 0, T + i));
    const plan = s.plan();
    expect(plan.forgotten.sort()).toEqual(['a', 'b']);
    expect(s.size).toBe(3);
    expect(plan.changed.map((m) => m.src).sort()).toEqual(['c', 'd', 'e']);
  });
});
