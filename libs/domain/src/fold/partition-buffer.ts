import type { StampedEvent } from '../event-contract/change-event';
import { applyEvent } from './apply-event';
import { type VerdictEntry, verdictOf } from './condition-verdict';
import { type EntityRecord, cloneRecord, foldableRecord } from './entity-record';
import { expireRecord, isExpired, recordAt } from './expiry';
import type { FlushPlan, RejectedEvent } from './flush-plan';
import { type HeldParkedId, type ParkedAction, type ParkedEvent, type ParkedId, ParkedIds } from './parked-ids';
import { type ProducerMark, ProducerSequences, type ProducerSequencesOptions } from './producer-sequences';

export interface PartitionBufferOptions {
  partition: number;
  /** OPLOG.next_offset at claim time: the first offset to fold. */
  nextOffset: number;
  /** K: eventIds remembered per ID for idempotent retries. */
  dedupeWindow: number;
  /** Clean (flushed) records kept in memory; beyond it the least recently used are evicted. */
  maxCachedIds: number;
  /** The producer marks committed with OPLOG.next_offset (none for a new partition). */
  producerMarks?: Iterable<ProducerMark>;
  /** How long and how many producers' marks are kept (defaults: 24 h, 10,000). */
  producerRetention?: ProducerSequencesOptions;
  /** The IDs parked as of OPLOG.next_offset, with their events or spilled (none for a new partition). */
  parked?: Iterable<ParkedId | HeldParkedId>;
  /** Parked events held in memory beyond which committed ones are dropped (spilled) to the store (default: no bound). */
  maxHeldParkedEvents?: number;
}

const DEFAULT_PRODUCER_RETENTION: ProducerSequencesOptions = { retentionMs: 24 * 60 * 60 * 1000, maxProducers: 10_000 };

/** What waits for an ID's row: its events, and an operator's release folded behind them. */
type PendingItem = { event: StampedEvent; offset: number } | { release: ParkedAction; refusedOffset?: number; offset: number };

/** What a release did: applied the kept events now, waits for the ID's row (behind its events waiting for it), or found nothing parked. */
export type ReleaseOutcome = { kind: 'released'; released: number; rejected?: RejectedEvent } | { kind: 'queued' } | { kind: 'not-parked' };

interface Slot {
  record: EntityRecord;
  dirty: boolean;
}

/**
 * The in-memory fold of one partition, without I/O. The consumer owning the partition is the only
 * writer of its IDs, so a record it holds is authoritative. Events for IDs it does not hold wait
 * in `pending` until their rows are loaded in one batch (`resolvePending`), then apply in order.
 *
 * Offsets: `nextOffset` is the first offset not yet folded. The caller folds offsets in order;
 * `fold`/`skip` of any other offset throws, so a gap or a replay cannot be applied by mistake.
 */
export class PartitionBuffer {
  readonly partition: number;
  private next: number;
  private committed: number;
  private readonly slots = new Map<string, Slot>();
  private readonly pending = new Map<string, PendingItem[]>();
  private dirtyCount = 0;
  private resolveRounds = 0;
  private foldedSinceCommit = 0;
  private bytesSinceCommit = 0;
  private readonly dedupeWindow: number;
  private readonly maxCachedIds: number;
  /** Record identities applied: a second copy of a record is skipped, whatever its eventId. */
  readonly producers: ProducerSequences;
  /** Verdicts of conditional events not yet committed, in the order decided (kept until their plan commits). */
  private verdicts: VerdictEntry[] = [];
  /** IDs whose events wait for an operator: an event the fold refused and every later one. */
  readonly parked: ParkedIds;
  duplicates = 0;

  constructor(options: PartitionBufferOptions) {
    this.partition = options.partition;
    this.next = options.nextOffset;
    this.committed = options.nextOffset;
    this.dedupeWindow = options.dedupeWindow;
    this.maxCachedIds = options.maxCachedIds;
    this.producers = new ProducerSequences(options.producerMarks ?? [], options.producerRetention ?? DEFAULT_PRODUCER_RETENTION);
    this.parked = new ParkedIds(options.parked, options.maxHeldParkedEvents);
  }

  /** The first offset not yet folded: records below it were applied, a record above it is a gap. */
  get nextOffset(): number {
    return this.next;
  }

  /** The offset the last commit wrote to OPLOG. */
  get committedOffset(): number {
    return this.committed;
  }

  /** Events folded (or skipped) since the last commit: the size the flush trigger watches. */
  get uncommittedEvents(): number {
    return this.foldedSinceCommit;
  }

  /** Record bytes folded (or skipped) since the last commit: what the buffer's byte bound watches. */
  get uncommittedBytes(): number {
    return this.bytesSinceCommit;
  }

  get cachedIds(): number {
    return this.slots.size;
  }

  /** IDs with changes not yet committed (changed in memory, or waiting for their row). */
  get uncommittedIds(): number {
    return this.dirtyCount + this.pending.size;
  }

  /** Whether a flush would write anything (changed rows or a new offset). */
  get hasUncommitted(): boolean {
    return this.next !== this.committed;
  }

  /** Second copies of records skipped since the claim (same producer identity, see ProducerSequences). */
  get copiesRefused(): number {
    return this.producers.refused;
  }

  /**
   * Folds the event at `offset`. Returns a rejection when the event applies to a record held in
   * memory and cannot: its ID is parked from that event on; events for IDs not held wait for their
   * row, and events of a parked ID are kept with it.
   * A second copy of a record already applied moves the offset and changes nothing.
   * `bytes` is the record's size, counted against the buffer's byte bound.
   */
  fold(event: StampedEvent, offset: number, bytes = 0): RejectedEvent | undefined {
    this.skip(offset, bytes);
    if (!this.producers.admit(event.src, event.seq, event.ts)) {
      // A second copy: it answers with its first copy's verdict, looked up by identity when read.
      if (event.condition !== undefined) this.decided(event, offset, 'copy');
      return undefined;
    }
    return this.route(event, offset);
  }

  /**
   * The operator's answer for a parked ID, folded at `offset` (a control record in the ID's
   * partition, so it is ordered with the ID's events): the ID is unparked and its kept events
   * (all, all but the refused one, or none) apply now, in their order, before any later event.
   * Events of the ID still waiting for its row may be refused when it comes: the release waits
   * behind them ('queued') and runs in its place at resolvePending; so does one for an ID whose row
   * is not held (evicted, or not loaded since the claim): a discarded conditional event is rejected
   * at the ID's version, which only its row knows; and one for an ID whose parked events were
   * spilled to the store (they are loaded back with the row: `spilledReleases`). Otherwise it says how many
   * events were released, and the first rejection when one is refused again (parked again), or
   * that the ID is not parked (nothing changed but the offset). With `refusedOffset`, only the
   * parking at that refused event is released: a request repeated after the ID parked again is stale.
   */
  releaseParked(id: string, action: ParkedAction, offset: number, bytes = 0, refusedOffset?: number): ReleaseOutcome {
    this.skip(offset, bytes);
    const release = { release: action, refusedOffset, offset };
    const queued = this.pending.get(id);
    if (queued) queued.push(release);
    else if (this.parked.answers(id, refusedOffset) && (!this.slots.has(id) || this.parked.spilled(id))) this.pending.set(id, [release]);
    else return this.releaseNow(id, action, refusedOffset);
    return { kind: 'queued' };
  }

  private releaseNow(id: string, action: ParkedAction, refusedOffset?: number): ReleaseOutcome {
    const kept = this.parked.get(id)?.events ?? [];
    const events = this.parked.release(id, action, refusedOffset);
    if (!events) return { kind: 'not-parked' };
    // Conditional events the operator discards are decided now: rejected, `discarded`, at the
    // version the ID has (they were never applied). Those replayed are decided as they apply.
    const replayed = new Set(events.map((e) => e.offset));
    for (const dropped of kept) {
      if (dropped.event.condition === undefined || replayed.has(dropped.offset)) continue;
      this.decided(dropped.event, dropped.offset, { outcome: 'rejected', seenVersion: this.slots.get(id)?.record.version ?? 0, reason: 'discarded' });
    }
    let rejected: RejectedEvent | undefined;
    for (const parked of events) {
      const rejection = this.route(parked.event, parked.offset);
      rejected ??= rejection;
    }
    return { kind: 'released', released: events.length, ...(rejected ? { rejected } : {}) };
  }

  private route(event: StampedEvent, offset: number): RejectedEvent | undefined {
    // Waiting for the row comes first: a parked ID waits there only behind its release.
    const queued = this.pending.get(event.id);
    if (queued) {
      queued.push({ event, offset });
      return undefined;
    }
    if (this.parked.has(event.id)) {
      this.parked.append(event.id, { event, offset });
      return undefined;
    }
    const slot = this.slots.get(event.id);
    if (!slot) {
      this.pending.set(event.id, [{ event, offset }]);
      return undefined;
    }
    return this.apply(slot, event, offset);
  }

  /** Moves past an offset without applying anything (a poison record already dead-lettered); fold and release start with it. */
  skip(offset: number, bytes = 0): void {
    this.expect(offset);
    this.next = offset + 1;
    this.foldedSinceCommit++;
    this.bytesSinceCommit += bytes;
  }

  /**
   * Accepts that offsets below `offset` will never come (Kafka can skip offsets, e.g. for
   * transaction markers). Only ever moves forward.
   */
  acceptGap(offset: number): void {
    if (offset <= this.next) throw new RangeError(`partition ${this.partition}: gap to ${offset} is not ahead of ${this.next}`);
    this.next = offset;
  }

  /** IDs whose rows must be loaded before the next flush. */
  pendingIds(): string[] {
    return [...this.pending.keys()];
  }

  /** Of `ids` (pending), those whose release waits for parked events spilled to the store: load them for resolvePending. */
  spilledReleases(ids: Iterable<string>): string[] {
    return [...ids].filter((id) => this.waitsForSpilled(id));
  }

  private waitsForSpilled(id: string): boolean {
    return this.parked.spilled(id) && (this.pending.get(id) ?? []).some((item) => 'release' in item);
  }

  /**
   * Applies the waiting events of `ids` onto their loaded rows (an ID without a row starts empty).
   * `ids` are the IDs whose rows were looked up (default: every pending ID); IDs that started
   * waiting while the rows were loading stay pending for the next round. `parked`: the stored
   * events of the `spilledReleases` among them (an ID whose release needs them and has not got
   * them stays pending too).
   */
  resolvePending(loaded: ReadonlyMap<string, EntityRecord>, ids: Iterable<string> = [...this.pending.keys()], parked: ReadonlyMap<string, readonly ParkedEvent[]> = new Map()): RejectedEvent[] {
    const rejected: RejectedEvent[] = [];
    for (const id of ids) {
      const events = this.pending.get(id);
      if (!events) continue;
      const storedEvents = parked.get(id);
      if (storedEvents) this.parked.restore(id, storedEvents);
      else if (this.waitsForSpilled(id)) continue;
      this.pending.delete(id);
      // A spilled ID's release may wait with its row held: the held record is the newer one.
      let slot = this.slots.get(id);
      if (!slot) this.slots.set(id, (slot = { record: foldableRecord(loaded.get(id), id, this.partition), dirty: false }));
      for (const item of events) {
        const rejection = 'release' in item ? releasedRejection(this.releaseNow(id, item.release, item.refusedOffset)) : this.apply(slot, item.event, item.offset);
        if (rejection) rejected.push(rejection);
      }
    }
    this.resolveRounds++;
    return rejected;
  }

  /**
   * Counts resolvePending calls: a reader that looked an ID's row up in EVENTS while the ID was not
   * held compares it before and after the lookup; unchanged means no flush took the ID meanwhile,
   * so the row it read is the ID's last commit and its pending events are exactly what is missing.
   */
  get resolutions(): number {
    return this.resolveRounds;
  }

  /**
   * The rows to write: a snapshot of every changed ID at `nextOffset`. Call when nothing is pending
   * (after resolvePending). Folding may go on while the plan is written (one plan in flight): only
   * markCommitted, after its COMMIT, makes the plan's records clean; a failed plan is just dropped
   * and the next plan writes those IDs again, with the newer folds on top.
   */
  flushPlan(): FlushPlan {
    if (this.pending.size > 0) throw new Error('resolvePending must run before flushPlan');
    const records: EntityRecord[] = [];
    // Snapshots: folds after this call must not change what the writer stores for this plan.
    for (const slot of this.slots.values()) if (slot.dirty) records.push(cloneRecord(slot.record));
    return { records, nextOffset: this.next, events: this.foldedSinceCommit, bytes: this.bytesSinceCommit, producerMarks: this.producers.plan(), verdicts: [...this.verdicts], parked: this.parked.plan() };
  }

  /**
   * The plan is durable (its COMMIT succeeded): its records are clean now unless folded again since,
   * and clean records beyond the cap are evicted. Plans must commit in the order they were taken.
   */
  markCommitted(plan: FlushPlan): void {
    if (plan.nextOffset < this.committed || plan.nextOffset > this.next) throw new RangeError(`partition ${this.partition}: plan up to ${plan.nextOffset} does not follow the commit at ${this.committed}`);
    for (const record of plan.records) {
      const slot = this.slots.get(record.id);
      // A record changed again after the plan was taken stays dirty for the next plan.
      if (slot?.dirty && slot.record.version === record.version) {
        slot.dirty = false;
        this.dirtyCount--;
      }
    }
    this.producers.markCommitted(plan.producerMarks);
    // Plans take every uncommitted verdict and commit in order: the plan's are the oldest ones.
    this.verdicts.splice(0, plan.verdicts.length);
    this.parked.markCommitted(plan.parked);
    this.committed = plan.nextOffset;
    this.foldedSinceCommit -= plan.events;
    this.bytesSinceCommit -= plan.bytes;
    this.evict();
  }

  /** Records held in memory, for reads of fresh state. */
  peek(id: string): EntityRecord | undefined {
    return this.slots.get(id)?.record;
  }

  /** Events of `id` folded but waiting for its row (empty when none), for reads of fresh state. */
  pendingEvents(id: string): ReadonlyArray<{ event: StampedEvent; offset: number }> {
    return (this.pending.get(id) ?? []).filter((item) => 'event' in item);
  }

  /**
   * The expiry sweep, part 1: IDs whose stored rows expired (the caller found them in EVENTS) and
   * that this buffer does not hold are made to wait for their rows, as an event's ID does, so the
   * next resolvePending loads them. IDs held or already waiting are left alone.
   */
  requireRows(ids: Iterable<string>): void {
    for (const id of ids) if (!this.slots.has(id) && !this.pending.has(id)) this.pending.set(id, []);
  }

  /**
   * The expiry sweep, part 2 (call after resolvePending, right before flushPlan, with no fold in
   * between): every held record among `ids` or changed since the last commit that is expired at
   * `now` becomes its tombstone, so the plan writes it (and the outbox carries the deletion). The
   * tombstone has no expiry, so a later sweep never takes it again. Returns how many expired.
   */
  expire(now: number, ids: Iterable<string>): number {
    let expired = 0;
    const visit = (slot: Slot | undefined): void => {
      if (!slot || !isExpired(slot.record, now)) return;
      expireRecord(slot.record);
      expired++;
      if (!slot.dirty) {
        slot.dirty = true;
        this.dirtyCount++;
      }
    };
    for (const id of ids) visit(this.slots.get(id));
    for (const slot of this.slots.values()) if (slot.dirty) visit(slot);
    return expired;
  }

  private apply(slot: Slot, event: StampedEvent, offset: number): RejectedEvent | undefined {
    // An earlier event of this ID, waiting with it for the row, was refused: this one waits behind it.
    if (this.parked.has(event.id)) {
      this.parked.append(event.id, { event, offset });
      return undefined;
    }
    const seenVersion = recordAt(slot.record, event.ts).version; // as applyEvent judges its condition
    const outcome = applyEvent(slot.record, event, offset, this.dedupeWindow);
    if (outcome.kind === 'rejected') {
      // Parked, with its verdict (if conditional) undecided: the operator's replay decides it, or
      // a discard rejects it (releaseNow). Deciding it now could flip at the replay.
      this.parked.park(event.id, { event, offset }, outcome.reason);
      return { event, offset, reason: outcome.reason };
    }
    if (event.condition !== undefined) this.decided(event, offset, verdictOf(outcome.kind, seenVersion));
    if (outcome.kind === 'duplicate') {
      this.duplicates++;
      return undefined;
    }
    if (outcome.kind === 'unmet') return undefined;
    if (!slot.dirty) {
      slot.dirty = true;
      this.dirtyCount++;
    }
    // Map order is insertion order: re-inserting makes it the most recently used.
    this.slots.delete(event.id);
    this.slots.set(event.id, slot);
    return undefined;
  }

  private decided(event: StampedEvent, offset: number, verdict: VerdictEntry['verdict']): void {
    const entry: VerdictEntry = { offset, ts: event.ts, src: event.src, verdict };
    if (event.seq !== undefined) entry.seq = event.seq;
    this.verdicts.push(entry);
  }

  private evict(): void {
    let excess = this.slots.size - this.maxCachedIds;
    if (excess <= 0) return;
    for (const [id, slot] of this.slots) {
      if (excess <= 0) break;
      if (slot.dirty) continue;
      this.slots.delete(id);
      excess--;
    }
  }

  private expect(offset: number): void {
    if (offset !== this.next) throw new RangeError(`partition ${this.partition}: expected offset ${this.next}, got ${offset}`);
  }
}

function releasedRejection(outcome: ReleaseOutcome): RejectedEvent | undefined {
  return outcome.kind === 'released' ? outcome.rejected : undefined;
}
