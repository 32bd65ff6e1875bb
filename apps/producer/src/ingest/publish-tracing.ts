import { MAX_SPAN_LINKS, async2Tracer, inSpan, linksTo, spanContextFromHeaders, traceHeaders } from '@async2/platform';
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { OutgoingRecord, PublishOutcome, SendBatch } from './coalescing-publisher';

/*
 * Tracing of the produce path, following the OpenTelemetry messaging conventions for batches:
 * each request gets a `create <topic>` span (PRODUCER, child of the HTTP/gRPC server span) whose
 * context every record of the request carries in its headers (W3C traceparent); the coalesced
 * produce request gets a `send <topic>` span that links to the create spans of the records it
 * carries. kafkajs's own instrumentation would parent the send on whichever request happened to
 * start the linger timer, and stamp that one context on every record.
 */

const messaging = (topic: string) => ({ 'messaging.system': 'kafka', 'messaging.destination.name': topic });

/** Publishes one request's records inside its `create` span; the records carry that span's context. */
export async function publishTraced(topic: string, records: OutgoingRecord[], publish: (records: OutgoingRecord[]) => Promise<PublishOutcome[]>): Promise<PublishOutcome[]> {
  const span = async2Tracer().startSpan(`create ${topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: { ...messaging(topic), 'messaging.operation.type': 'create', 'messaging.batch.message_count': records.length },
  });
  const headers = traceHeaders(trace.setSpan(context.active(), span));
  if (Object.keys(headers).length > 0) for (const record of records) record.headers = { ...record.headers, ...headers };
  return inSpan(span, context.active(), async () => {
    const outcomes = await publish(records);
    annotateOutcomes(span, outcomes);
    return outcomes;
  });
}

function annotateOutcomes(span: Span, outcomes: PublishOutcome[]): void {
  const accepted = outcomes.filter((o) => o.ok);
  span.setAttribute('async2.accepted', accepted.length);
  if (outcomes.length === 1 && outcomes[0].ok) {
    span.setAttributes({ 'messaging.destination.partition.id': String(outcomes[0].partition), 'messaging.kafka.offset': outcomes[0].offset });
  }
  if (accepted.length < outcomes.length) {
    const failure = outcomes.find((o) => !o.ok);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure && !failure.ok ? failure.error.message : 'not acknowledged' });
  }
}

/** Wraps the one Kafka call: a `send <topic>` span per produce request, linked to its records' create spans. */
export function sendTraced(topic: string, send: SendBatch): SendBatch {
  return async (messages) => {
    const span = async2Tracer().startSpan(
      `send ${topic}`,
      {
        kind: SpanKind.CLIENT,
        links: linksTo(recordContexts(messages)),
        attributes: { ...messaging(topic), 'messaging.operation.type': 'send', 'messaging.batch.message_count': messages.length },
      },
      ROOT_CONTEXT,
    );
    return inSpan(span, ROOT_CONTEXT, () => send(messages));
  };
}

/** The distinct contexts the records carry (records of one request share one), at most MAX_SPAN_LINKS. */
function* recordContexts(messages: OutgoingRecord[]) {
  const seen = new Set<unknown>();
  for (const message of messages) {
    const traceparent = message.headers?.traceparent;
    if (traceparent === undefined || seen.has(traceparent)) continue;
    seen.add(traceparent);
    const spanContext = spanContextFromHeaders(message.headers);
    if (spanContext) yield spanContext;
    if (seen.size >= MAX_SPAN_LINKS) return;
  }
}
