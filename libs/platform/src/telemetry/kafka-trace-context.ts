import { type Context, type Link, ROOT_CONTEXT, type SpanContext, isSpanContextValid, propagation, trace } from '@opentelemetry/api';

/** The tracer of our own spans (produce, process, flush); the instrumentations have their own. */
export const async2Tracer = () => trace.getTracer('async2');

/** Most links one span carries: a flush of 10,000 events links to a uniform sample of them. */
export const MAX_SPAN_LINKS = 128;

/**
 * Record headers carrying `context` in W3C Trace Context form (`traceparent`, `tracestate`),
 * written by the globally registered propagator. Empty when tracing is off.
 */
export function traceHeaders(context: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context, headers);
  return headers;
}

/** A record's headers as any Kafka client hands them over (values as bytes or strings). */
export type RecordHeaders = Readonly<Record<string, Buffer | string | Array<Buffer | string> | undefined>>;

/** The span context a record's headers carry, if any (clients hand header values over as Buffers). */
export function spanContextFromHeaders(headers: RecordHeaders | undefined): SpanContext | undefined {
  if (!headers || headers.traceparent === undefined) return undefined;
  const extracted = propagation.extract(ROOT_CONTEXT, headers, {
    keys: (carrier) => Object.keys(carrier),
    get: (carrier, key) => {
      const value = carrier[key];
      if (value === undefined) return undefined;
      return Array.isArray(value) ? value.map(String) : String(value);
    },
  });
  const spanContext = trace.getSpanContext(extracted);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** Links to the given span contexts, one per span. */
export function linksTo(contexts: Iterable<SpanContext>): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const context of contexts) {
    if (seen.has(context.spanId)) continue;
    seen.add(context.spanId);
    links.push({ context });
  }
  return links;
}
