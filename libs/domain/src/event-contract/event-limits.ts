/** Bounds every event is checked against at the edge, before any recursion (design section 10). */
export interface EventLimits {
  /** Maximum `id` length in UTF-8 bytes. */
  idMaxBytes: number;
  /** Maximum `eventId` length in UTF-8 bytes. */
  eventIdMaxBytes: number;
  /** Maximum size of `data` serialised as JSON, in UTF-8 bytes. */
  dataMaxBytes: number;
  /** Maximum nesting depth of `data` (the data object itself is depth 1). */
  dataMaxDepth: number;
  /** Maximum number of events in one batch request. */
  batchMaxEvents: number;
  /** Largest `keepLast` an append may ask for, and the one it gets when it names none. */
  appendKeepLastMax: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = {
  idMaxBytes: 256,
  eventIdMaxBytes: 128,
  dataMaxBytes: 64 * 1024,
  dataMaxDepth: 32,
  batchMaxEvents: 1000,
  appendKeepLastMax: 1000,
};
