import { loggers } from '@platformatic/kafka';
import type { ClientLog, ClientLogLevel } from '../port/client-log';

/**
 * @platformatic/kafka's own lines go to the app's logger. The client writes them through `debug`
 * loggers it exports (one per section: client, producer, consumer, admin, protocol), looked up at
 * each call, so the adapter puts its own writers in their place: `context` "platformatic.<section>",
 * the event as `msg`, its arguments summarised. Its sections are what kafkajs's INFO is (connections,
 * metadata, retries): our debug; the protocol section (every request and answer) is our trace. At a
 * level above debug nothing is replaced (the client's writers stay off, as they are by default).
 * The loggers are process-wide: the last port opened with a log writes every client's lines.
 */
export function routePlatformaticLogging(log: ClientLog): void {
  for (const section of Object.keys(loggers)) {
    const level: ClientLogLevel = section === 'protocol' ? 'trace' : 'debug';
    if (!printed(log.appLevel, level)) continue;
    const context = `platformatic.${section}`;
    const write = (first: unknown, ...rest: unknown[]) => {
      if (typeof first === 'string') log.write(context, level, { msg: first, ...(rest.length > 0 ? { detail: rest.map(summary) } : {}) });
      else {
        const { event, payload } = (first ?? {}) as { event?: string; payload?: unknown[] };
        log.write(context, level, { msg: String(event ?? 'event'), ...(payload && payload.length > 0 ? { detail: payload.map(summary) } : {}) });
      }
    };
    (loggers as Record<string, unknown>)[section] = write;
  }
}

const ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

function printed(appLevel: string, level: ClientLogLevel): boolean {
  const at = ORDER.indexOf(appLevel);
  return at >= 0 && at <= ORDER.indexOf(level);
}

/** A log-sized view of one argument: scalars as they are, errors by message, objects one level deep. */
function summary(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (value instanceof Map) return `<map of ${value.size}>`;
  if (Array.isArray(value)) return `<${value.length} items>`;
  if (value === null || typeof value !== 'object') return value;
  const shallow: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === null || ['string', 'number', 'boolean'].includes(typeof inner)) shallow[key] = inner;
    else if (typeof inner === 'bigint') shallow[key] = inner.toString();
    else if (inner instanceof Error) shallow[key] = inner.message;
  }
  return shallow;
}
