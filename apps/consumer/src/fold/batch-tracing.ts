import type { SourceBatch } from '@async2/data-access';
import { MAX_SPAN_LINKS, type RecordHeaders, ReservoirSample, async2Tracer, inSpan, linksTo, spanContextFromHeaders } from '@async2/platform';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';

/**
 * Runs the fold of one fetched batch inside a `process <topic>` span (CONSUMER, a new trace) that
 * links to the producing spans named by the records' traceparent headers: a sample of at most
 * MAX_SPAN_LINKS when the batch is larger. A flush the batch has to wait for is its child.
 */
export async function processTraced(batch: SourceBatch, fold: () => Promise<void>): Promise<void> {
  const tracer = async2Tracer();
  const sample = new ReservoirSample<RecordHeaders>(MAX_SPAN_LINKS);
  for (const record of batch.records) if (record.headers.traceparent !== undefined) sample.offer(record.headers);
  const span = tracer.startSpan(
    `process ${batch.topic}`,
    {
      kind: SpanKind.CONSUMER,
      links: linksTo(sample.sample().map(spanContextFromHeaders).filter((c) => c !== undefined)),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': batch.topic,
        'messaging.destination.partition.id': String(batch.partition),
        'messaging.batch.message_count': batch.records.length,
        'async2.offset.first': batch.records[0]?.offset ?? -1,
        'async2.offset.last': batch.records.at(-1)?.offset ?? -1,
      },
    },
    ROOT_CONTEXT,
  );
  await inSpan(span, ROOT_CONTEXT, fold);
}
