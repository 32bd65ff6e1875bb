import { type Context, type Span, SpanStatusCode, context, trace } from '@opentelemetry/api';

/**
 * Runs `work` with `span` active (as a child of `parent`), records an error it throws on the span,
 * and always ends the span: the one way the apps scope their spans.
 */
export async function inSpan<T>(span: Span, parent: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
