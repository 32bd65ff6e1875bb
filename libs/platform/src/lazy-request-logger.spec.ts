import pino from 'pino';
import { lazyRequestChildrenOfNextChild, withLazyRequestChildren } from './lazy-request-logger';

/** A logger writing JSON lines into `lines`, whose `req` serializer counts its calls. */
function capture(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const serialized = { count: 0 };
  const logger = pino(
    {
      level,
      base: { service: 'test' },
      redact: ['req.headers.authorization'],
      serializers: { req: (req: { url: string; headers: object }) => (serialized.count++, { url: req.url, headers: req.headers }) },
    },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger: withLazyRequestChildren(logger), lines, serialized };
}

const request = { url: '/v1/events', headers: { authorization: 'Bearer secret', host: 'x' } };

describe('withLazyRequestChildren', () => {
  it('a request child that writes nothing at an enabled level never serialises the request', () => {
    const { logger, lines, serialized } = capture('warn');
    const child = logger.child({ req: request });
    child.info({ res: { statusCode: 202 } }, 'request completed');
    child.debug('nothing');
    expect(lines).toEqual([]);
    expect(serialized.count).toBe(0);
  });

  it('a line at an enabled level carries the request, redacted, as an eager child would write it', () => {
    const { logger, lines, serialized } = capture('info');
    const child = logger.child({ req: request });
    child.info({ res: { statusCode: 202 } }, 'request completed');
    child.error('failed');
    expect(serialized.count).toBe(1); // made once, on the first line
    const eager = capture('info');
    eager.logger.child({ req: request }, {}).info({ res: { statusCode: 202 } }, 'request completed');
    const withoutTime = (line: Record<string, unknown>) => Object.fromEntries(Object.entries(line).filter(([key]) => key !== 'time'));
    const lazyLine = withoutTime(lines[0]);
    expect(lazyLine).toEqual(withoutTime(eager.lines[0]));
    expect(lazyLine).toMatchObject({ service: 'test', req: { url: '/v1/events', headers: { authorization: '[Redacted]', host: 'x' } }, res: { statusCode: 202 }, msg: 'request completed' });
    expect(lines[1]).toMatchObject({ level: 50, req: { url: '/v1/events' }, msg: 'failed' });
  });

  it('other children are made at once, and a request child can have children of its own', () => {
    const { logger, lines, serialized } = capture('info');
    const named = logger.child({ context: 'Kafka' });
    expect(named.bindings()).toEqual({ service: 'test', context: 'Kafka' });
    const nested = logger.child({ req: request }).child({ context: 'Guard' });
    nested.info('checked');
    expect(serialized.count).toBe(1);
    expect(lines[0]).toMatchObject({ req: { url: '/v1/events' }, context: 'Guard', msg: 'checked' });
  });

  it("as pino-http uses it: request children come from its child, with that child's serialisers for req and res", () => {
    const lines: Array<Record<string, unknown>> = [];
    const root = pino({ level: 'info', redact: ['req.headers.authorization'] }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const serializers = { req: (req: typeof request) => ({ url: req.url, headers: req.headers }), res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) };
    const httpLogger = lazyRequestChildrenOfNextChild(root).child({}, { serializers }); // what pino-http does once
    httpLogger.child({ req: { ...request, socket: 'not to be logged' } }).info({ res: { statusCode: 202, socket: 'nor this' } }, 'request completed');
    expect(lines[0]).toMatchObject({ req: { url: '/v1/events', headers: { authorization: '[Redacted]' } }, res: { statusCode: 202 } });
    expect(JSON.stringify(lines[0])).not.toContain('not to be logged');
    expect(JSON.stringify(lines[0])).not.toContain('nor this');
    // The root's later children are ordinary ones: its child() is pino's own again.
    expect(Object.hasOwn(root, 'child')).toBe(false);
    expect(lines).toHaveLength(1);
  });
});
