import type { JsonObject } from '../event-contract/change-event';

/**
 * One committed change of EVENTS, as the change stream carries it: the ID's new state (or its
 * deletion) at `version`. Versions of one ID only grow, so a reader keeps the highest it saw and
 * ignores anything else (a republished duplicate carries the same version).
 */
export interface CommittedChange {
  id: string;
  deleted: boolean;
  /** The new state; null when deleted. */
  state: JsonObject | null;
  version: number;
  /** Source partition and offset (of the events topic) of the last event in this version. */
  partition: number;
  offset: number;
  /** Producer receive time (ms) of that event. */
  ts: number;
  /** When the ID expires (ttlMs, ms since the epoch); absent: never. Readers hide it from then on. */
  expiresAt?: number;
}
