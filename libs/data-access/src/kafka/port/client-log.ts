/** The levels a Kafka client library's own log line can land on in the app's log. */
export type ClientLogLevel = 'error' | 'warn' | 'debug' | 'trace';

/**
 * Where a Kafka client library's own log lines go: the app's logger, with its level. The adapter
 * decides what each of its client's lines means for the app (see kafkajs/kafkajs-log-level.ts);
 * the app decides how a line is written.
 */
export interface ClientLog {
  /** The app's level (LOG_LEVEL, pino's names): the client is asked for no more than the app prints. */
  appLevel: string;
  /** One line: `context` names the client's part ("kafkajs.Connection"), `fields` has `msg` and the client's extra fields. */
  write(context: string, level: ClientLogLevel, fields: { msg: string } & Record<string, unknown>): void;
}
