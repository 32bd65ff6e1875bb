/** Where traces go, read from the standard OpenTelemetry variables (no names of our own). */
export type TracingSettings = { enabled: false } | { enabled: true; serviceName: string; endpoint: string };

/**
 * Tracing is on only when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT, or the
 * traces-only OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and OTEL_SDK_DISABLED is not `true`:
 * without one, no SDK starts and the API stays a no-op, so tracing costs nothing.
 */
export function tracingSettings(env: NodeJS.ProcessEnv, defaultServiceName = 'async2'): TracingSettings {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { enabled: false };
  if (!/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new Error(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (OTLP/HTTP protobuf), got ${JSON.stringify(endpoint)}`);
  }
  return { enabled: true, serviceName: env.OTEL_SERVICE_NAME || defaultServiceName, endpoint };
}
