import type { ClientLog } from '@async2/data-access';
import { Logger } from '@nestjs/common';
import { appLogLevel } from './logger.module';

// nestjs-pino writes Nest's verbose at pino's trace.
const NEST_METHOD = { error: 'error', warn: 'warn', debug: 'debug', trace: 'verbose' } as const;

/**
 * The Kafka client's own lines through the app's logger (pino, once the app called useLogger): the
 * same JSON fields as every other line, `context` from the client's part, the client's extra
 * fields beside `msg`, and the same LOG_LEVEL.
 */
export function kafkaClientLog(): ClientLog {
  const loggers = new Map<string, Logger>();
  return {
    appLevel: appLogLevel(),
    write(context, level, fields) {
      let logger = loggers.get(context);
      if (!logger) loggers.set(context, (logger = new Logger(context)));
      logger[NEST_METHOD[level]](fields);
    },
  };
}
