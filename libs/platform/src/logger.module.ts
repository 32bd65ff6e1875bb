import { LoggerModule } from 'nestjs-pino';

/** The app's log level (pino's names: error, warn, info, debug, trace), from LOG_LEVEL. */
export function appLogLevel(): string {
  return process.env.LOG_LEVEL ?? 'info';
}

/** JSON logs through pino; LOG_LEVEL sets the level, LOG_PRETTY is not offered (pipe to pino-pretty). */
export function structuredLogger(service: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: appLogLevel(),
      base: { service },
      // Request logs of health probes are noise at 3 a.m.
      // originalUrl: Fastify's middleware engine (middie) strips the mount path from req.url.
      autoLogging: { ignore: (req) => ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').startsWith('/health') },
      redact: ['req.headers.authorization'],
    },
  });
}
