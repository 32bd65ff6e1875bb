/*
 * Starts OpenTelemetry before anything else loads, so the instrumentations can patch http, pg,
 * pino, grpc-js and Fastify as they are first required. Load it ahead of the app:
 *
 *   OTEL_SERVICE_NAME=producer OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:4318 \
 *     node --require ./dist/libs/platform/src/telemetry/tracing.preload.js dist/apps/producer/src/main.js
 *
 * Without an endpoint it does nothing (see tracing-settings.ts). Traces go out as OTLP/HTTP
 * protobuf (Jaeger, the OpenTelemetry Collector and Tempo accept it on :4318).
 *
 * kafkajs is instrumented by hand, not by @opentelemetry/instrumentation-kafkajs: the producer
 * coalesces the records of many requests into one send, so the send's active context is not the
 * events' own; each record carries its request's context instead (see the apps' *-tracing.ts).
 */
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { IncomingMessage } from 'node:http';
import { tracingSettings } from './tracing-settings';

// Probes and scrapes every few seconds would bury the traces that matter.
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

const settings = tracingSettings(process.env);
if (settings.enabled) {
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    traceExporter: new OTLPTraceExporter(),
    // Traces only: metrics are Prometheus (/metrics) and logs are JSON on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? '') }),
      // Route names (POST /v1/events) and the handler spans; registers itself on every Fastify instance.
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (route: { url: string }) => UNTRACED_PATHS.test(route.url) }),
      // Only queries inside a traced operation (a read, a flush): not the readiness pings.
      new PgInstrumentation({ requireParentSpan: true }),
      // trace_id / span_id / trace_flags in every JSON log line written inside a span.
      new PinoInstrumentation({ disableLogSending: true }),
      new GrpcInstrumentation(),
    ],
  });
  sdk.start();
}
