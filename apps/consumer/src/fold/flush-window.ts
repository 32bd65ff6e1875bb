import type { SourceRecord } from '@async2/data-access';
import { MAX_SPAN_LINKS, type RecordHeaders, ReservoirSample } from '@async2/platform';
import { visibilityLag } from '../platform/consumer.metrics';

/**
 * What the records folded since the last commit add up to, for observability only: their producer
 * timestamps (async2_visibility_lag_seconds, observed when the flush that contains them commits) and
 * a uniform sample of their trace headers (the flush span's links). Their bytes are the buffer's
 * (PartitionBuffer.uncommittedBytes, exported as async2_buffer_bytes). The lane is serial, so a commit covers exactly the records recorded before it.
 */
export class FlushWindow {
  private producedAt: number[] = [];
  private readonly traceHeaders = new ReservoirSample<RecordHeaders>(MAX_SPAN_LINKS);

  constructor(private readonly partition: number) {}

  /** The trace headers of up to MAX_SPAN_LINKS records of the window, sampled uniformly. */
  sampledHeaders(): readonly RecordHeaders[] {
    return this.traceHeaders.sample();
  }

  /** A record was folded; `producedAt` is its producer timestamp when it decoded. */
  record(record: SourceRecord, producedAt: number | undefined): void {
    if (producedAt !== undefined) this.producedAt.push(producedAt);
    if (record.headers.traceparent !== undefined) this.traceHeaders.offer(record.headers);
  }

  /** The flush committed every record of the window: they are visible in EVENTS from now on. */
  committed(now = Date.now()): void {
    const labels = { partition: String(this.partition) };
    for (const ts of this.producedAt) visibilityLag.observe(labels, Math.max(0, now - ts) / 1000);
    this.producedAt = [];
    this.traceHeaders.clear();
  }
}
