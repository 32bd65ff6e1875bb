import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** From the first byte written to the first byte of the answer. */
  answeredAfterMs: number;
  /** Bytes written before the answer came (or the socket closed). */
  writtenBytes: number;
}

/**
 * Writes a request byte for byte on a TCP socket (node:net, no HTTP client to tidy it up) and reads
 * the answer. Numbers among the chunks are pauses (a slow client). Stops writing once answered.
 */
export function rawExchange(port: number, chunks: Array<string | Buffer | number>, timeoutMs = 30_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const started = Date.now();
    let answeredAt: number | undefined;
    let finished = false;
    let writtenBytes = 0;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('utf8');
      const head = text.indexOf('\r\n\r\n');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!match || head < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const headers = Object.fromEntries(
        text
          .slice(0, head)
          .split('\r\n')
          .slice(1)
          .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(match[1]), headers, body: text.slice(head + 4), answeredAfterMs: (answeredAt ?? Date.now()) - started, writtenBytes });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk) => {
      answeredAt ??= Date.now();
      received.push(chunk);
      const text = Buffer.concat(received).toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, head));
      if (head >= 0 && length && Buffer.concat(received).length >= head + 4 + Number(length[1])) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined); // EPIPE/ECONNRESET once the server refused: the answer is what counts
    void (async () => {
      for (const chunk of chunks) {
        if (answeredAt !== undefined || socket.destroyed) return;
        if (typeof chunk === 'number') await new Promise((r) => setTimeout(r, chunk).unref()); // a pause never keeps the test runner alive
        else if ((writtenBytes += Buffer.byteLength(chunk)) && !socket.write(chunk)) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
    })();
  });
}

/** A request head for a POST with the given extra header lines. */
export function postHead(path: string, headerLines: string[]): string {
  return [`POST ${path} HTTP/1.1`, 'Host: producer', ...headerLines, '', ''].join('\r\n');
}
