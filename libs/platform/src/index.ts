// NestJS building blocks both apps share: logging, PostgreSQL, the Kafka connections.
export * from './shared-settings.token';
export * from './database.module';
export * from './kafka-connections';
export * from './logger.module';
export * from './graceful-shutdown';
export * from './kafka-health.indicator';
export * from './metrics.controller';
export * from './telemetry/tracing-flush';
export * from './telemetry/kafka-trace-context';
export * from './telemetry/reservoir-sample';
export * from './health-report';
export * from './telemetry/in-span';
