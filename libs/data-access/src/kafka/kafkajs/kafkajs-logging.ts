import type { KafkaConfig, LogEntry } from 'kafkajs';
import type { ClientLog } from '../port/client-log';
import { appLogLevelOf, kafkajsLogLevelFor } from './kafkajs-log-level';

/**
 * kafkajs logs through the app's logger: `context` "kafkajs.<namespace>", kafkajs's extra fields
 * beside `msg`, and the app's level. Which kafkajs lines change level, and why: appLogLevelOf.
 */
export function kafkajsLogging(log: ClientLog): Pick<KafkaConfig, 'logLevel' | 'logCreator'> {
  return {
    logLevel: kafkajsLogLevelFor(log.appLevel),
    logCreator: () => ({ namespace, level, log: line }: LogEntry) => {
      // timestamp and logger ("kafkajs") are the app logger's time and our context already.
      const { message, ...fields }: Partial<LogEntry['log']> = line;
      delete fields.timestamp;
      delete fields.logger;
      log.write(namespace ? `kafkajs.${namespace}` : 'kafkajs', appLogLevelOf({ namespace, level, message: message ?? '' }), { msg: message ?? '', ...fields });
    },
  };
}
