import type { INestApplication, LoggerService } from '@nestjs/common';
import { flushTraces } from './telemetry/tracing-flush';

/**
 * SIGTERM/SIGINT close the app (every shutdown hook runs: stop intake, flush, disconnect) and exit
 * 0; a second signal exits at once. Not enableShutdownHooks(): Nest re-raises the signal after
 * closing, so the process would die by signal (exit 143) even after a clean shutdown.
 */
export function exitCleanlyOnSignals(app: INestApplication, logger: LoggerService): void {
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) process.exit(130);
      closing = true;
      logger.log(`${signal}: shutting down`);
      app.close().then(
        () => flushTraces().then(() => process.exit(0)),
        (error: Error) => {
          logger.error(`shutdown failed: ${error.message}`);
          void flushTraces().then(() => process.exit(1));
        },
      );
    });
  }
}
