import { logLevel } from 'kafkajs';

/** The pino levels a kafkajs log line can land on. */
export type AppLogLevel = 'error' | 'warn' | 'debug' | 'trace';

/** One kafkajs log call, as its `logCreator` receives it. */
export interface KafkajsLogEntry {
  namespace: string;
  level: logLevel;
  message: string;
}

/**
 * Where a kafkajs log line goes in the app's log. kafkajs's INFO (consumer started, stopped, joined
 * the group) is our debug: the apps say what matters in their own words ("joined Kafka group ...:
 * assigned events [0, 1]"); its DEBUG (every request and answer) is our trace. And two kinds of
 * line are not what their kafkajs level says:
 * - an error answer from a broker: the connection logs each one at ERROR ("Response <api>") before
 *   anyone decides what it means. kafkajs retries the transient ones (the coordinator is loading,
 *   not the leader: routine while a broker starts or a topic is new), takes some as success (a topic
 *   the other app created a moment before) and throws the rest to its caller, where our code reports
 *   it. So the answer itself is debug; what cannot be recovered is an error where it is handled;
 * - "Limiting retries for the idempotent producer": our producers limit retries on purpose (after
 *   a failed send IdempotentSender takes a new producer id instead), so it is not a warning.
 */
export function appLogLevelOf(entry: KafkajsLogEntry): AppLogLevel {
  if (entry.namespace === 'Connection' && entry.level === logLevel.ERROR && entry.message.startsWith('Response ')) return 'debug';
  if (entry.namespace === 'Producer' && entry.message.startsWith('Limiting retries for the idempotent producer')) return 'debug';
  switch (entry.level) {
    case logLevel.ERROR:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'debug';
    default:
      return 'trace';
  }
}

/** The kafkajs level that lets through every line the app's level (pino's, from LOG_LEVEL) would print. */
export function kafkajsLogLevelFor(appLevel: string): logLevel {
  switch (appLevel) {
    case 'silent':
      return logLevel.NOTHING;
    case 'fatal':
    case 'error':
      return logLevel.ERROR;
    case 'warn':
    case 'info':
      return logLevel.WARN;
    case 'debug':
      return logLevel.INFO;
    default:
      return logLevel.DEBUG; // trace
  }
}
