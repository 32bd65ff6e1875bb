import { Counter, Histogram, collectDefaultMetrics } from 'prom-client';

collectDefaultMetrics({ prefix: 'async2_producer_' });

/** Events by edge and outcome: accepted (acks=all), invalid (4xx), unavailable (503), overloaded (429). */
export const ingestEvents = new Counter({
  name: 'async2_ingest_events_total',
  help: 'Events received, by edge and outcome',
  labelNames: ['edge', 'outcome'] as const,
});

export const ingestLatency = new Histogram({
  name: 'async2_ingest_request_duration_seconds',
  help: 'Ingest request duration until Kafka acknowledged (or the request failed), by edge and outcome',
  labelNames: ['edge', 'outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
});

export const produceErrors = new Counter({
  name: 'async2_produce_errors_total',
  help: 'Produce requests Kafka did not acknowledge',
});
