import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { lazyRequestChildrenOfNextChild } from './lazy-request-logger';

/** The app's log level (pino's names: error, warn, info, debug, trace), from LOG_LEVEL. */
export function appLogLevel(): string {
  return process.env.LOG_LEVEL ?? 'info';
}

/**
 * JSON logs through pino; LOG_LEVEL sets the level, LOG_PRETTY is not offered (pipe to pino-pretty).
 * Requests are logged by pino-http (one line with `req`, `res` and `responseTime` when the response
 * is done); the per-request child logger it makes is made only when a line is written through it
 * (withLazyRequestChildren): at 10k+ requests/s making it cost more than the rest of the logging.
 */
export function structuredLogger(service: string) {
  const root = pino({
    level: appLogLevel(),
    base: { service },
    redact: ['req.headers.authorization'],
  });
  return LoggerModule.forRoot({
    pinoHttp: {
      // pino-http makes its own child of this one ({}, with its serialisers) and makes every request's child from that.
      logger: lazyRequestChildrenOfNextChild(root),
      // Request logs of health probes are noise at 3 a.m.
      // originalUrl: Fastify's middleware engine (middie) strips the mount path from req.url.
      autoLogging: { ignore: (req) => ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').startsWith('/health') },
    },
  });
}
