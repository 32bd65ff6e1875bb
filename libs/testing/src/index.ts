// Test support: real services (a database and a topic per suite), the built apps as processes, one
// pipeline fixture that starts and stops them, waitFor.
export * from './wait-for';
export * from './test-services';
export * from './app-process';
export * from './test-pipeline';
export * from './free-port';
export * from './topic-reader';
export * from './reference-fold';
export * from './events-table';
export * from './otlp-receiver';
export * from './tcp-proxy';
// Moved to data-access (the operator CLI reads consumers' /metrics too); tests keep importing it from here.
export { MetricsScrape, parsePrometheusText, type Sample } from '@async2/data-access';
export * from './own-broker';
export * from './cli-process';
