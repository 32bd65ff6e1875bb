import { type RecordHeaders, async2Tracer, inSpan, linksTo, spanContextFromHeaders } from '@async2/platform';
import type { FlushPlan } from '@async2/domain';
import { type Span, SpanKind, context } from '@opentelemetry/api';

export interface FlushSpanFacts {
  topic: string;
  partition: number;
  epoch: number;
  /** The first offset the flush covers (OPLOG.next_offset before it). */
  fromOffset: number;
  /** Trace headers of (a sample of) the records the flush contains. */
  headers: readonly RecordHeaders[];
}

/**
 * Runs one flush inside a `flush <topic>` span: the transaction's queries (pg spans) are its
 * children, and it links to the spans of (a sample of) the events it makes durable. Its parent is
 * whatever is active: nothing on the timer, the batch's `process` span when a full buffer flushes.
 */
export async function withFlushSpan<T>(facts: FlushSpanFacts, flush: (span: Span) => Promise<T>): Promise<T> {
  const links = linksTo(facts.headers.map(spanContextFromHeaders).filter((c) => c !== undefined));
  const span = async2Tracer().startSpan(`flush ${facts.topic}`, {
    kind: SpanKind.INTERNAL,
    links,
    attributes: {
      'messaging.destination.name': facts.topic,
      'messaging.destination.partition.id': String(facts.partition),
      'async2.epoch': facts.epoch,
      'async2.offset.first': facts.fromOffset,
      'async2.links.sampled': links.length,
    },
  });
  return inSpan(span, context.active(), async () => {
    const result = await flush(span);
    span.setAttribute('async2.flush.outcome', String(result));
    return result;
  });
}

/** What the plan writes: rows, events and the offset range it commits. */
export function describeFlushPlan(span: Span, plan: FlushPlan, fromOffset: number): void {
  span.setAttributes({
    'async2.flush.rows': plan.records.length,
    'async2.flush.events': plan.events,
    'async2.offset.first': fromOffset,
    'async2.offset.last': plan.nextOffset - 1,
    'async2.offset.next': plan.nextOffset,
  });
}
