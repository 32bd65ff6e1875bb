import type { ChangeEvent } from '@async2/domain';
import { seededRandom } from '../http-workload';

/**
 * A seeded workload whose outcome can be checked exactly (Jepsen style). Two kinds of IDs:
 *
 * - tracked IDs get every op (set / merge / incr / max / min / append / addToSet / removeFromSet /
 *   delete), every event with a unique eventId; appends carry a small keepLast so trimming happens,
 *   and half the sets and merges an event time (`ts`) drawn out of Kafka order, so older ones lose; a
 *   fifth of the events carry a condition (`if`: the version the generator expects, create-only,
 *   update-only), which concurrency, deletes and earlier rejections make fail often enough: the
 *   checker compares each verdict with a reference fold of the topic. A few incrs are poison (`p` by
 *   the largest safe integer): the first on a fresh `p` applies, the next one leaves the safe range,
 *   so the consumer refuses it and parks the ID (docs/parking.md) until the fault pipeline's operator
 *   replays it without the refused event; the checker proves each discarded event was refused in
 *   Kafka order and the ID's other events applied once, in order. The consumer
 *   keeps the last K eventIds applied to an ID in its row (`recent_event_ids`); with K (DEDUPE_WINDOW)
 *   at least the events per ID, that list IS the ID's full applied history, in applied order.
 * - counter IDs get only anonymous incr events (no eventId, so the consumer's dedupe cannot hide a
 *   replay): each adds a distinct power of two to one field, so the field's bits say exactly which
 *   events were applied, and any double apply shows up as a carry (version > bits set).
 * - TTL IDs (`ttlIds`, see nextTtl) get writes with short `ttlMs`, so they expire, are swept and are
 *   revived by later writes during the run, and conditional events whose verdict the expiry decides.
 */
export type WorkloadOpKind = 'tracked' | 'counter' | 'ttl';

export interface WorkloadOp {
  /** Unique in the run; tracked events carry it in their eventId. */
  index: number;
  kind: WorkloadOpKind;
  event: ChangeEvent;
  /** Per-ID sequence number (1, 2, ...), also written into tracked events' data. */
  seq: number;
  /** For counter ops: the field and the power of two it adds. */
  counter?: { field: string; amount: number };
}

export interface WorkloadOptions {
  seed: number;
  trackedIds: number;
  counterIds: number;
  /** Prefix of IDs and eventIds, so runs on one topic never collide. */
  tag: string;
  /** IDs written with short ttlMs (0 or absent: none; the other kinds' draws are then as before). */
  ttlIds?: number;
}

/** Event times of timed sets and merges: a random instant in the 1,000 s after this one. */
const EVENT_TIME_BASE = Date.UTC(2026, 0, 1);

/** Share of the events that go to TTL IDs, when there are any. */
const TTL_SHARE = 0.1;

/** The ttlMs of TTL writes: shorter and longer than the gap between two writes to one ID. */
const TTL_CHOICES_MS = [100, 300, 800, 2000];

/** Bits used per counter field: sums stay below 2^51, well inside JSON's safe integers. */
const BITS_PER_FIELD = 50;

export class WorkloadGenerator {
  private readonly random: () => number;
  private index = 0;
  private readonly seqs = new Map<string, number>();

  constructor(private readonly options: WorkloadOptions) {
    this.random = seededRandom(options.seed);
  }

  next(): WorkloadOp {
    const { trackedIds, counterIds, tag } = this.options;
    const index = this.index++;
    if ((this.options.ttlIds ?? 0) > 0 && this.random() < TTL_SHARE) return this.nextTtl(index);
    const pickCounter = counterIds > 0 && (trackedIds === 0 || this.random() < counterIds / (trackedIds + counterIds));
    if (pickCounter) {
      const id = `${tag}-counter-${Math.floor(this.random() * counterIds)}`;
      const seq = this.nextSeq(id);
      const bit = (seq - 1) % BITS_PER_FIELD;
      const field = `c${Math.floor((seq - 1) / BITS_PER_FIELD)}`;
      const amount = 2 ** bit;
      return { index, kind: 'counter', seq, counter: { field, amount }, event: { id, op: 'incr', data: { [field]: amount } } };
    }
    const n = Math.floor(this.random() * trackedIds);
    const id = n % 7 === 0 ? `${tag}-ünï-${n}` : `${tag}-doc-${n}`;
    const seq = this.nextSeq(id);
    const eventId = `${tag}-e${index}`;
    const roll = this.random();
    let event: ChangeEvent;
    const small = Math.floor(this.random() * 100);
    if (roll < 0.22) event = { id, op: 'set', eventId, data: { seq, name: `s${index}`, n: small } };
    else if (roll < 0.44) event = { id, op: 'merge', eventId, data: { seq, last: `m${index}`, nested: { [`k${index % 5}`]: this.random() < 0.2 ? null : index } } };
    else if (roll < 0.62) event = { id, op: 'incr', eventId, data: { n: 1 + (small % 9), seq: 1 } };
    else if (roll < 0.64) event = { id, op: 'incr', eventId, data: { p: Number.MAX_SAFE_INTEGER } };
    else if (roll < 0.7) event = { id, op: 'max', eventId, data: { hi: small, n: small - 50 } };
    else if (roll < 0.76) event = { id, op: 'min', eventId, data: { lo: small } };
    else if (roll < 0.82) event = { id, op: 'append', eventId, data: { log: [index, `a${small}`] }, keepLast: 5 };
    else if (roll < 0.88) event = { id, op: 'addToSet', eventId, data: { tags: [`t${small % 7}`, small % 4] } };
    else if (roll < 0.92) event = { id, op: 'removeFromSet', eventId, data: { tags: [`t${small % 7}`] } };
    else event = { id, op: 'delete', eventId };
    if ((event.op === 'set' || event.op === 'merge') && this.random() < 0.5) event.eventTime = EVENT_TIME_BASE + Math.floor(this.random() * 1_000_000);
    const conditional = this.random();
    // The version expected: the events sent to the ID before this one (right until one is rejected or still in flight).
    if (conditional < 0.1) event.condition = { version: seq - 1 };
    else if (conditional < 0.15) event.condition = event.op === 'set' ? { absent: true } : { present: true };
    else if (conditional < 0.2) event.condition = event.op === 'delete' ? { present: true } : { absent: true };
    return { index, kind: 'tracked', seq, event };
  }

  /**
   * A write to a TTL ID: sets and merges mostly carry a short ttlMs (100 ms to 2 s: at the fault
   * pipeline's rate an ID gets a write every ~0.5 s, so some expire before their next write, some are
   * swept first, some are moved on in time), incrs sometimes, deletes never (the API forbids it).
   * Two in five carry a condition: create-only and update-only, whose verdict the expiry decides (an
   * expired ID is absent, one version more), or a version guess around the events sent so far.
   */
  private nextTtl(index: number): WorkloadOp {
    const id = `${this.options.tag}-ttl-${Math.floor(this.random() * this.options.ttlIds!)}`;
    const seq = this.nextSeq(id);
    const eventId = `${this.options.tag}-e${index}`;
    const roll = this.random();
    let event: ChangeEvent;
    if (roll < 0.35) event = { id, op: 'set', eventId, data: { seq, name: `s${index}` } };
    else if (roll < 0.6) event = { id, op: 'merge', eventId, data: { seq, last: `m${index}` } };
    else if (roll < 0.9) event = { id, op: 'incr', eventId, data: { n: 1 + (index % 5) } };
    else event = { id, op: 'delete', eventId };
    const ttlShare = event.op === 'set' ? 0.8 : event.op === 'merge' ? 0.5 : event.op === 'incr' ? 0.3 : 0;
    if (this.random() < ttlShare) event.ttlMs = TTL_CHOICES_MS[Math.floor(this.random() * TTL_CHOICES_MS.length)];
    const conditional = this.random();
    if (conditional < 0.15) event.condition = { absent: true };
    else if (conditional < 0.3) event.condition = { present: true };
    else if (conditional < 0.4) event.condition = { version: Math.max(0, seq - 1 + Math.floor(this.random() * 4)) };
    return { index, kind: 'ttl', seq, event };
  }

  private nextSeq(id: string): number {
    const seq = (this.seqs.get(id) ?? 0) + 1;
    this.seqs.set(id, seq);
    return seq;
  }
}
