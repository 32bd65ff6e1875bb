import type { Logger } from 'pino';

type Bindings = Record<string, unknown>;
type MakeChild = (this: Logger, bindings: Bindings, options?: object) => Logger;

/**
 * Makes a pino logger's per-request children lazy: pino-http gives every request a child whose
 * bindings hold the request (`child({ req })`), and pino serialises (and redacts) a child's
 * bindings when the child is made, a cost paid on every request even when it writes no line (the
 * request lines are `info`; under LOG_LEVEL=warn nothing is written for a request that succeeds).
 * Here such a child is made only when a line is written through it at an enabled level; a call at
 * a disabled level gets the parent's no-op. The lines written are the same as before: same
 * bindings, same serialisers and redaction, same mixins (OpenTelemetry's trace_id among them).
 *
 * `requestKey` is pino-http's key for the request in those bindings (`req`, unless renamed).
 * Children made with other bindings, or with options, are made at once as usual.
 */
export function withLazyRequestChildren(logger: Logger, requestKey = 'req'): Logger {
  const makeChild = logger.child as unknown as MakeChild;
  const lazyChild = function (this: Logger, bindings: Bindings, options?: object) {
    const keys = Object.keys(bindings);
    if (options !== undefined || keys.length !== 1 || keys[0] !== requestKey) return makeChild.call(this, bindings, options);
    return lazyLogger(this, (parent) => makeChild.call(parent, bindings));
  };
  logger.child = lazyChild as unknown as Logger['child'];
  return logger;
}

/**
 * For pino-http given `logger: root`: it makes one child of the root (`child({}, { serializers })`,
 * its serialisers for req, res and err) and every request's child from that one. The root's next
 * child is made as usual, then made lazy for request children; the root's later children are
 * ordinary. (The request children must come from pino-http's child, not from the root: only it
 * has the serialisers and redaction of `req` and `res`.)
 */
export function lazyRequestChildrenOfNextChild(root: Logger): Logger {
  root.child = function (this: Logger, bindings: Bindings, options?: object) {
    delete (root as Partial<Logger>).child; // back to pino's own, on the prototype
    return withLazyRequestChildren((root.child as unknown as MakeChild).call(root, bindings, options));
  } as unknown as Logger['child'];
  return root;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** A stand-in for `make()`'s logger that calls `make` on first real use (a line at an enabled level, or anything else). */
function lazyLogger(parent: Logger, make: (parent: Logger) => Logger): Logger {
  let made: Logger | undefined;
  const real = () => (made ??= make(parent));
  return new Proxy(parent, {
    get(_target, property) {
      // A disabled level is a no-op on the parent as on the child: nothing to make.
      if (made === undefined && typeof property === 'string' && LEVELS.has(property) && !parent.isLevelEnabled(property)) return parent[property as 'info'];
      const logger = real();
      const value: unknown = Reflect.get(logger, property, logger);
      return typeof value === 'function' ? value.bind(logger) : value;
    },
    set(_target, property, value) {
      return Reflect.set(real(), property, value);
    },
    has(_target, property) {
      return Reflect.has(real(), property);
    },
  });
}
