import type { ServerResponse } from 'node:http';

/*
 * Server-Sent Events on a raw Node response (WHATWG HTML, "Server-sent events"):
 *
 *   event  := ["id: " cursor LF] ["event: " name LF] "data: " json LF LF
 *   comment:= ": " text LF LF            (heartbeats; ignored by clients, keeps proxies from timing out)
 *
 * JSON never contains a raw line break, so one `data:` line carries a whole message.
 */
export class SseSink {
  constructor(private readonly response: ServerResponse) {}

  open(retryMs: number): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer the stream
    });
    this.response.write(`retry: ${retryMs}\n\n`);
  }

  event(name: string, data: unknown, id?: string): void {
    this.response.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  comment(text: string): void {
    this.response.write(`: ${text}\n\n`);
  }

  /** Bytes written but not yet taken by the socket (the subscriber's backlog in this process). */
  get bufferedBytes(): number {
    return this.response.writableLength;
  }

  get closed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** Resolves true when the socket took everything, false after `timeoutMs` or when it closes first. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.response.writableLength === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.response.off('drain', onDrain);
        this.response.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.response.on('drain', onDrain);
      this.response.on('close', onClose);
    });
  }

  /** Ends the response; a subscriber that does not read its backlog within `graceMs` is cut off. */
  end(graceMs: number): void {
    if (this.closed) return;
    this.response.end();
    const timer = setTimeout(() => this.response.destroy(), graceMs);
    timer.unref();
    this.response.once('close', () => clearTimeout(timer));
  }
}
