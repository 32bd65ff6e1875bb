import type { SourceRecord } from '@async2/data-access';
import { MAX_SPAN_LINKS, type RecordHeaders, ReservoirSample } from '@async2/platform';
import { visibilityLag } from '../platform/consumer.metrics';

/** The position of a flush plan in the window: the records it covers. */
export interface WindowCut {
  records: number;
}

/**
 * What the records folded since the last commit add up to, for observability only: their producer
 * timestamps (async2_visibility_lag_seconds, observed when the flush that contains them commits) and
 * a uniform sample of their trace headers (the flush span's links). Their bytes are the buffer's
 * (PartitionBuffer.uncommittedBytes, exported as async2_buffer_bytes). Flushes run one at a time, so a commit covers exactly the records recorded before its plan's cut.
 */
export class FlushWindow {
  private producedAt: number[] = [];
  private readonly traceHeaders = new ReservoirSample<RecordHeaders>(MAX_SPAN_LINKS);

  constructor(private readonly partition: number) {}

  /**
   * The trace headers of up to MAX_SPAN_LINKS records folded since the last call, sampled uniformly,
   * for the span of the flush starting now; records folded from now on go to the next flush's sample.
   */
  takeSampledHeaders(): readonly RecordHeaders[] {
    const sample = [...this.traceHeaders.sample()]; // a copy: clear() empties the reservoir's own array
    this.traceHeaders.clear();
    return sample;
  }

  /** A record was folded; `producedAt` is its producer timestamp when it decoded. */
  record(record: SourceRecord, producedAt: number | undefined): void {
    if (producedAt !== undefined) this.producedAt.push(producedAt);
    if (record.headers.traceparent !== undefined) this.traceHeaders.offer(record.headers);
  }

  /** Where a flush's plan ends in the window (taken with the plan): records after it are folded during the flush. */
  cut(): WindowCut {
    return { records: this.producedAt.length };
  }

  /** The flush of the plan taken at `cut` committed: its records are visible in EVENTS from now on. */
  committed(cut: WindowCut, now = Date.now()): void {
    const labels = { partition: String(this.partition) };
    for (let i = 0; i < cut.records; i++) visibilityLag.observe(labels, Math.max(0, now - this.producedAt[i]) / 1000);
    this.producedAt = this.producedAt.slice(cut.records);
  }
}
