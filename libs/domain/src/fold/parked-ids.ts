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
 * The parked IDs of one partition, in memory (loaded at the claim, so a restart keeps parking the
 * same IDs), and what changed since the last commit. Parking is rare and an operator is alerted
 * (async2_parked_ids), so every parked event is held: the store is their durable copy.
 */
export class ParkedIds {
  private readonly entries = new Map<string, ParkedId>();
  private readonly tracking = new Map<string, Tracking>();
  /** IDs whose stored form differs from memory. */
  private readonly touched = new Set<string>();

  constructor(loaded: Iterable<ParkedId> = []) {
    for (const entry of loaded) {
      this.entries.set(entry.id, { ...entry, events: [...entry.events] });
      this.tracking.set(entry.id, { releases: 0, committedReleases: 0, committedLength: entry.events.length });
    }
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): Readonly<ParkedId> | undefined {
    return this.entries.get(id);
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
    this.entries.set(id, { id, reason, refusedOffset: refused.offset, parkedAt: refused.event.ts, events: [refused] });
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
        const { events, ...header } = entry;
        plan.parked.push(header);
        for (const parked of events.slice(clear ? 0 : tracking.committedLength)) plan.events.push({ id, ...parked });
      } else {
        plan.removed.push(id);
      }
      plan.marks.set(id, { releases: tracking.releases, length: entry?.events.length ?? 0 });
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
      if (tracking.releases === mark.releases && (entry?.events.length ?? 0) === mark.length) {
        this.touched.delete(id);
        if (!entry) this.tracking.delete(id);
      }
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
