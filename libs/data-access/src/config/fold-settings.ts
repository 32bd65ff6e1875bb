import { DEFAULT_EVENT_LIMITS, type EventLimits } from '@async2/domain';
import type { EnvReader } from './env-reader';

/**
 * The settings that shape the fold's result: read in one place, so the consumer and a rebuild of a
 * partition (the operator CLI's `async2 rebuild`) fold the same records into the same rows.
 */
export interface FoldSettings {
  /** K: client eventIds remembered per ID for idempotent retries (DEDUPE_WINDOW). */
  dedupeWindow: number;
  /** How long (in producer time) and how many producer incarnations each partition remembers record identities of. */
  producerMarks: { retentionMs: number; maxProducers: number };
  /** Limits records are re-validated against (a record the producer would refuse is poison). */
  limits: EventLimits;
}

export function readFoldSettings(env: EnvReader): FoldSettings {
  return {
    dedupeWindow: env.int('DEDUPE_WINDOW', 16, { min: 0, max: 1000 }),
    producerMarks: {
      // A second copy of a record comes from the producer's own retries: seconds after the first.
      // A day is far beyond that, and beyond any plausible clock skew between producers.
      retentionMs: env.int('PRODUCER_MARK_RETENTION_MS', 24 * 60 * 60 * 1000, { min: 60_000, max: 30 * 24 * 60 * 60 * 1000 }),
      maxProducers: env.int('PRODUCER_MARK_MAX_PRODUCERS', 10000, { min: 16, max: 1000000 }),
    },
    limits: {
      ...DEFAULT_EVENT_LIMITS,
      idMaxBytes: env.int('ID_MAX_BYTES', DEFAULT_EVENT_LIMITS.idMaxBytes, { min: 1, max: 4096 }),
      eventIdMaxBytes: env.int('EVENT_ID_MAX_BYTES', DEFAULT_EVENT_LIMITS.eventIdMaxBytes, { min: 1, max: 1024 }),
      dataMaxBytes: env.int('DATA_MAX_BYTES', DEFAULT_EVENT_LIMITS.dataMaxBytes, { min: 2, max: 16 * 1024 * 1024 }),
      dataMaxDepth: env.int('DATA_MAX_DEPTH', DEFAULT_EVENT_LIMITS.dataMaxDepth, { min: 1, max: 1000 }),
      appendKeepLastMax: env.int('APPEND_KEEP_LAST_MAX', DEFAULT_EVENT_LIMITS.appendKeepLastMax, { min: 1, max: 1000000 }),
    },
  };
}
