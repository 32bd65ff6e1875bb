import { trace } from '@opentelemetry/api';

interface FlushableProvider {
  getDelegate?: () => { forceFlush?: () => Promise<void> };
}

/**
 * Exports the spans still queued in the batch processor, so the last ones (the shutdown flush)
 * are not lost when the process exits. A no-op when tracing is off; never waits past `timeoutMs`.
 */
export async function flushTraces(timeoutMs = 2000): Promise<void> {
  const provider = trace.getTracerProvider() as FlushableProvider;
  const flushing = provider.getDelegate?.().forceFlush?.();
  if (!flushing) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([flushing.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
