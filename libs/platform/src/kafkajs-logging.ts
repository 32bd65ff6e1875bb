import { appLogLevelOf, kafkajsLogLevelFor } from '@async2/data-access';
import { Logger } from '@nestjs/common';
import type { KafkaConfig, LogEntry } from 'kafkajs';
import { appLogLevel } from './logger.module';

// nestjs-pino writes Nest's verbose at pino's trace.
const NEST_METHOD = { error: 'error', warn: 'warn', debug: 'debug', trace: 'verbose' } as const;

/**
 * kafkajs logs through the app's logger (pino, once the app called useLogger): the same JSON
 * fields as every other line, `context` "kafkajs.<namespace>", kafkajs's extra fields beside `msg`,
 * and the same LOG_LEVEL. Which kafkajs lines change level, and why: appLogLevelOf.
 */
export function kafkajsLogging(): Pick<KafkaConfig, 'logLevel' | 'logCreator'> {
  const loggers = new Map<string, Logger>();
  const loggerFor = (namespace: string) => {
    const context = namespace ? `kafkajs.${namespace}` : 'kafkajs';
    let logger = loggers.get(context);
    if (!logger) loggers.set(context, (logger = new Logger(context)));
    return logger;
  };
  return {
    logLevel: kafkajsLogLevelFor(appLogLevel()),
    logCreator: () => ({ namespace, level, log }: LogEntry) => {
      // timestamp and logger ("kafkajs") are pino's time and our context already.
      const { message, ...fields }: Partial<LogEntry['log']> = log;
      delete fields.timestamp;
      delete fields.logger;
      const method = NEST_METHOD[appLogLevelOf({ namespace, level, message })];
      loggerFor(namespace)[method]({ msg: message, ...fields });
    },
  };
}
