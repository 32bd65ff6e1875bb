import { Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';

collectDefaultMetrics({ prefix: 'async2_consumer_' });

export const flushDuration = new Histogram({
  name: 'async2_flush_duration_seconds',
  help: 'Duration of a flush (load missing rows, dead letters, the one transaction), by partition',
  labelNames: ['partition'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
});

export const flushRows = new Counter({ name: 'async2_flush_rows_total', help: 'EVENTS rows written by committed flushes', labelNames: ['partition'] as const });
export const flushEvents = new Counter({ name: 'async2_flush_events_total', help: 'Records covered by committed flushes', labelNames: ['partition'] as const });
export const flushErrors = new Counter({ name: 'async2_flush_errors_total', help: 'Flushes that failed and will be retried', labelNames: ['partition'] as const });
export const fencedClaims = new Counter({ name: 'async2_fenced_total', help: 'Partitions this instance was fenced from (another instance claimed them)', labelNames: ['partition'] as const });
export const deadLetters = new Counter({ name: 'async2_dlq_records_total', help: 'Records sent to the DLQ', labelNames: ['partition'] as const });
export const copiesRefused = new Counter({
  name: 'async2_record_copies_refused_total',
  help: 'Records skipped as second copies of records already applied (same producer identity src+seq), by partition',
  labelNames: ['partition'] as const,
});
/** Gaps in a partition's offsets (records removed before they were applied): the partition stops until the operator accepts it. */
export const offsetGaps = new Counter({ name: 'async2_offset_gaps_total', help: 'Gaps found in a partition\'s offsets (records removed before they were applied); the partition stopped', labelNames: ['partition'] as const });
/** Rows the flush's upsert refused because EVENTS already had a higher version of the ID (it never moves a version backwards). */
export const versionRefused = new Counter({ name: 'async2_version_refused_total', help: 'EVENTS rows a flush did not write because the stored version was higher', labelNames: ['partition'] as const });
/** IDs whose TTL passed, turned into tombstones by a committed flush's sweep (fold/expiry-sweep.ts). */
export const expiredIds = new Counter({ name: 'async2_expired_ids_total', help: 'IDs expired (ttlMs) and tombstoned by committed flushes', labelNames: ['partition'] as const });
/** Verdicts of conditional events committed (`if`), by outcome: applied, rejected, copy (a record's second copy). */
export const verdictsCommitted = new Counter({ name: 'async2_verdicts_total', help: 'Verdicts of conditional events committed by flushes, by outcome (applied, rejected, copy)', labelNames: ['partition', 'outcome'] as const });
/** Parking (docs/parking.md): events the fold refused (each parks its ID), and operators' releases by action. */
export const parkedEvents = new Counter({ name: 'async2_parked_refusals_total', help: 'Events the fold refused: each parked its ID (the ID\'s later events wait with it)', labelNames: ['partition'] as const });
export const parkedReleases = new Counter({ name: 'async2_parked_releases_total', help: 'Parked IDs released by an operator, by action (replay, skip-refused, discard)', labelNames: ['partition', 'action'] as const });
/** Parked IDs of the partitions this instance owns, and how long the oldest has waited (by its refused event's time). */
export const parkedIds = new Gauge({ name: 'async2_parked_ids', help: 'IDs parked (waiting for an operator), by partition', labelNames: ['partition'] as const });
export const parkedEventsHeld = new Gauge({ name: 'async2_parked_events_held', help: 'Parked events held in memory (the rest are only in PARKED_EVENTS: see PARKED_MAX_HELD_EVENTS), by partition', labelNames: ['partition'] as const });
export const parkedOldestAge = new Gauge({ name: 'async2_parked_oldest_age_seconds', help: 'Age of the oldest parked ID\'s refused event (0: none parked), by partition', labelNames: ['partition'] as const });
export const dedupeHits = new Counter({ name: 'async2_dedupe_hits_total', help: 'Events skipped as client retries (eventId seen)', labelNames: ['partition'] as const });

/** High watermark minus OPLOG.next_offset, refreshed on every scrape from Kafka and this instance's commits. */
export const partitionLag = new Gauge({ name: 'async2_partition_lag', help: 'Records in Kafka not yet committed to EVENTS', labelNames: ['partition'] as const });
export const bufferedEvents = new Gauge({ name: 'async2_buffer_events', help: 'Events folded but not yet committed', labelNames: ['partition'] as const });
export const cachedIds = new Gauge({ name: 'async2_buffer_ids', help: 'IDs held in memory', labelNames: ['partition'] as const });
export const bufferedBytes = new Gauge({ name: 'async2_buffer_bytes', help: 'Bytes of the Kafka records folded but not yet committed', labelNames: ['partition'] as const });

/** Partitions whose fetching is stopped: fenced or at an offset gap (for good), or blocked until a flush frees the full buffer. */
export const pausedPartitions = new Gauge({ name: 'async2_paused_partitions', help: 'Owned partitions not fetching, by reason (fenced, buffer-full, offset-gap)', labelNames: ['reason'] as const });

/** Promise 4 made visible: how long after the producer stamped an event it became readable in EVENTS. */
export const visibilityLag = new Histogram({
  name: 'async2_visibility_lag_seconds',
  help: 'Time from the producer timestamp of an event to the commit of the flush that contains it',
  labelNames: ['partition'] as const,
  // 1.1 and 1.25 s: the promise is FLUSH_INTERVAL (1 s by default) + 250 ms, so its boundary is a bucket edge.
  buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10, 30, 60],
});
