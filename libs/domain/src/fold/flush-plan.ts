import type { StampedEvent } from '../event-contract/change-event';
import type { VerdictEntry } from './condition-verdict';
import type { EntityRecord } from './entity-record';
import type { ParkedPlan } from './parked-ids';
import type { ProducerMarksPlan } from './producer-sequences';

/** An event that was valid alone but could not apply to its ID's state: its ID is parked (parked-ids.ts). */
export interface RejectedEvent {
  event: StampedEvent;
  offset: number;
  reason: string;
}

/** What one flush writes: the absolute state of every changed ID, and the offset to resume from. */
export interface FlushPlan {
  records: EntityRecord[];
  nextOffset: number;
  /** Events folded into this plan (applied, duplicate or rejected), for metrics. */
  events: number;
  /** Record bytes folded into this plan, for the buffer's byte bound. */
  bytes: number;
  /** The producer marks to commit with this plan (record identities, see ProducerSequences). */
  producerMarks: ProducerMarksPlan;
  /** The verdicts of the conditional events folded since the last commit, to commit with this plan. */
  verdicts: VerdictEntry[];
  /** The parked store's changes to commit with this plan (see ParkedIds). */
  parked: ParkedPlan;
}
