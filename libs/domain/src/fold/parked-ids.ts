import type { StampedEvent } from '../event-contract/change-event';

/** One event kept for a parked ID, at the offset it arrived with. */
export interface ParkedEvent {
  event: StampedEvent;
  offset: number;
}

/** A parked ID: why, since which event, and its events in Kafka order (the refused one first). */
export interface ParkedId {
  id: string;
  reason: string;
  /** The offset of the event the fold refused (the first of `events`). */
  refusedOffset: number;
  /** The refused event's producer time (ms): how long the ID has waited, for the oldest-parked gauge. */
  parkedAt: number;
  events: ParkedEvent[];
}

/**
 * A parked ID as the fold holds it: `events` are its events from position `spilled` on; the first
 * `spilled` are only in the parked store (committed, dropped from memory to bound it).
 */
export interface HeldParkedId extends ParkedId {
  spilled: number;
}

/** What an operator asked for a parked ID (a control record on the topic, see parked-control.v1.ts). */
export type ParkedAction = 'replay' | 'skip-refused' | 'discard';
export const PARKED_ACTIONS: readonly ParkedAction[] = ['replay', 'skip-refused', 'discard'];

/**
 * What one flush writes to the parked store, for the IDs whose parking changed since the last
 * commit: `cleared` IDs lose every stored event first (they were released), `parked` are the
 * headers of the IDs parked now (absolute), `removed` the IDs no longer parked, and `events` the
 * events to add (all of a cleared ID's, or those appended since the last commit).
 */
export interface ParkedPlan {
  cleared: string[];
  parked: Array<Omit<ParkedId, 'events'>>;
  removed: string[];
  events: Array<ParkedEvent & { id: string }>;
  /** Per ID: releases and events counted when the plan was taken (markCommitted compares). */
  marks: Map<string, { releases: number; length: number }>;
}

interface Tracking {
  /** Releases of the ID since the claim, and how many of them the store has seen. */
  releases: number;
  committedReleases: number;
  /** Events of the current entry the store holds (meaningful once no release is uncommitted). */
  committedLength: number;
}

/**
 * The parked IDs of one partition, and what changed since the last commit. Their headers are in
 * memory (loaded at the claim, so a restart keeps parking the same IDs); their events are kept in
 * memory until committed to the parked store (their durable copy), and committed ones are dropped
 * from memory ("spilled") once the partition holds more than `maxHeldEvents`: an ID parked for days
 * under a steady stream of writes costs the store, not the heap. A release needs all of the ID's
 * events: a spilled ID's are loaded back first (`restore`), as a row is.
 */
export class ParkedIds {
  private readonly entries = new Map<string, HeldParkedId>();
  private readonly tracking = new Map<string, Tracking>();
  /** IDs whose stored form differs from memory. */
  private readonly touched = new Set<string>();
  private readonly maxHeldEvents: number;

  /** `loaded`: the store's parked IDs, with their events or spilled (`spilled` events left in the store). */
  constructor(loaded: Iterable<ParkedId | HeldParkedId> = [], maxHeldEvents = Number.POSITIVE_INFINITY) {
    this.maxHeldEvents = maxHeldEvents;
    for (const entry of loaded) {
      const spilled = 'spilled' in entry ? entry.spilled : 0;
      this.entries.set(entry.id, { ...entry, events: [...entry.events], spilled });
      this.tracking.set(entry.id, { releases: 0, committedReleases: 0, committedLength: spilled + entry.events.length });
    }
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** The parked ID with the events held in memory (all of them unless `spilled(id)`). */
  get(id: string): Readonly<HeldParkedId> | undefined {
    return this.entries.get(id);
  }

  /** Whether some of the ID's events are only in the store: a release must `restore` them first. */
  spilled(id: string): boolean {
    return (this.entries.get(id)?.spilled ?? 0) > 0;
  }

  /** Events held in memory, over every parked ID. */
  get heldEvents(): number {
    let held = 0;
    for (const entry of this.entries.values()) held += entry.events.length;
    return held;
  }

  /**
   * Puts a spilled ID's events back in memory: `stored` are the ID's events in the store, in Kafka
   * order (the store holds the committed ones, the first of which were spilled).
   */
  restore(id: string, stored: readonly ParkedEvent[]): void {
    const entry = this.entries.get(id);
    if (!entry || entry.spilled === 0) return;
    if (stored.length < entry.spilled || stored[0]?.offset !== entry.refusedOffset) {
      throw new Error(`${id}: the parked store holds ${stored.length} event(s) from offset ${stored[0]?.offset}, but its parking at ${entry.refusedOffset} spilled ${entry.spilled}`);
    }
    entry.events = [...stored.slice(0, entry.spilled), ...entry.events];
    entry.spilled = 0;
  }

  get count(): number {
    return this.entries.size;
  }

  /** The earliest parkedAt of the IDs parked now (undefined: none). */
  get oldestParkedAt(): number | undefined {
    let oldest: number | undefined;
    for (const entry of this.entries.values()) if (oldest === undefined || entry.parkedAt < oldest) oldest = entry.parkedAt;
    return oldest;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Parks `id` at its refused event. */
  park(id: string, refused: ParkedEvent, reason: string): void {
    if (this.entries.has(id)) throw new Error(`${id} is parked already`);
    this.entries.set(id, { id, reason, refusedOffset: refused.offset, parkedAt: refused.event.ts, events: [refused], spilled: 0 });
    this.track(id);
  }

  /** Keeps a later event of a parked ID, after the others. */
  append(id: string, parked: ParkedEvent): void {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`${id} is not parked`);
    entry.events.push(parked);
    this.track(id);
  }

  /** Whether a request naming `refusedOffset` (any, when undefined) answers the ID's current parking: false when not parked, or stale. */
  answers(id: string, refusedOffset?: number): boolean {
    const entry = this.entries.get(id);
    return entry !== undefined && (refusedOffset === undefined || entry.refusedOffset === refusedOffset);
  }

  /**
   * Unparks `id` and returns the events to apply, in order: all (replay), all but the refused one
   * (skip-refused), or none (discard). Undefined when the ID is not parked, or parked at another
   * refused offset than `refusedOffset` (the request answered an earlier parking: it is stale).
   */
  release(id: string, action: ParkedAction, refusedOffset?: number): ParkedEvent[] | undefined {
    const entry = this.entries.get(id);
    if (!entry || !this.answers(id, refusedOffset)) return undefined;
    if (entry.spilled > 0) throw new Error(`${id}: ${entry.spilled} of its parked events are only in the store: restore them before the release`);
    this.entries.delete(id);
    this.track(id).releases++;
    if (action === 'discard') return [];
    return action === 'skip-refused' ? entry.events.slice(1) : entry.events;
  }

  /** The store's changes since the last commit (empty lists when none). */
  plan(): ParkedPlan {
    const plan: ParkedPlan = { cleared: [], parked: [], removed: [], events: [], marks: new Map() };
    for (const id of this.touched) {
      const tracking = this.tracking.get(id) as Tracking;
      const entry = this.entries.get(id);
      const clear = tracking.releases > tracking.committedReleases;
      if (clear) plan.cleared.push(id);
      if (entry) {
        const { events, spilled, ...header } = entry;
        plan.parked.push(header);
        // Only committed events are spilled, and a parking spills only once its clear is committed.
        for (const parked of events.slice(clear ? 0 : tracking.committedLength - spilled)) plan.events.push({ id, ...parked });
      } else {
        plan.removed.push(id);
      }
      plan.marks.set(id, { releases: tracking.releases, length: lengthOf(entry) });
    }
    return plan;
  }

  /** The plan is durable: the IDs not changed since it was taken are clean. */
  markCommitted(plan: ParkedPlan): void {
    for (const [id, mark] of plan.marks) {
      const tracking = this.tracking.get(id) as Tracking;
      tracking.committedReleases = mark.releases;
      tracking.committedLength = mark.length;
      const entry = this.entries.get(id);
      if (tracking.releases === mark.releases && lengthOf(entry) === mark.length) {
        this.touched.delete(id);
        if (!entry) this.tracking.delete(id);
      }
    }
    this.spillOverBound();
  }

  /** Over `maxHeldEvents`: drops committed events from memory, ID by ID, until under it (or none is left to drop). */
  private spillOverBound(): void {
    let held = this.heldEvents;
    for (const [id, entry] of this.entries) {
      if (held <= this.maxHeldEvents) return;
      const tracking = this.tracking.get(id) as Tracking;
      // Its clear not committed yet: the store still holds the previous parking's events.
      if (tracking.releases !== tracking.committedReleases) continue;
      const committedHeld = tracking.committedLength - entry.spilled;
      if (committedHeld <= 0) continue;
      entry.events.splice(0, committedHeld);
      entry.spilled += committedHeld;
      held -= committedHeld;
    }
  }

  /** Whether the plan writes anything. */
  static isEmpty(plan: ParkedPlan): boolean {
    return plan.marks.size === 0;
  }

  private track(id: string): Tracking {
    let tracking = this.tracking.get(id);
    if (!tracking) {
      tracking = { releases: 0, committedReleases: 0, committedLength: 0 };
      this.tracking.set(id, tracking);
    }
    this.touched.add(id);
    return tracking;
  }
}

/** All of a parked ID's events, held or spilled (0: not parked). */
function lengthOf(entry: HeldParkedId | undefined): number {
  return entry ? entry.spilled + entry.events.length : 0;
}
