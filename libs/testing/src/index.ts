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
export * from './prometheus-scrape';
export * from './own-broker';
