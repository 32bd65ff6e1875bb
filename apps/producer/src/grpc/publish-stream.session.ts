import type { EventEmitter } from 'node:events';

/** The parts of a grpc-js duplex call the session uses (a Node Duplex in object mode). */
export interface DuplexCall<In, Out> extends EventEmitter {
  pause(): unknown;
  resume(): unknown;
  write(message: Out): boolean;
  end(): unknown;
  on(event: 'data', listener: (message: In) => void): this;
  on(event: 'end' | 'cancelled' | 'close' | 'drain', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

/**
 * Serves one PublishStream: each incoming event is handed to `handle` at once (so the events of a
 * stream share produce requests), and answers go out one per event, in the order received.
 *
 * Flow control: at most `maxInFlight` events are read ahead of their written answers. At the bound
 * the call is paused, grpc-js stops reading the HTTP/2 stream, and the client's writes block on
 * HTTP/2 flow control; it resumes as answers go out. A slow Kafka (or a client that does not read
 * its answers: `write()` returning false counts too) slows the sender instead of filling memory.
 *
 * When the client goes away, nothing more is written; events already handed over finish their
 * publish (they cannot be recalled) but are never reported to anyone as acknowledged.
 */
export function servePublishStream<In, Out>(call: DuplexCall<In, Out>, handle: (message: In) => Promise<Out>, maxInFlight: number): Promise<void> {
  const window: Array<Promise<Out>> = [];
  let inputEnded = false;
  let gone = false;
  let pumping = false;
  let paused = false;
  let finish: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (window.length > 0 && !gone) {
        const answer = await window[0];
        if (gone) break;
        window.shift();
        if (!call.write(answer)) await new Promise<void>((resolve) => waitForDrainOrGone(call, resolve));
        if (paused && window.length < maxInFlight && !gone) {
          paused = false;
          call.resume();
        }
      }
    } finally {
      pumping = false;
    }
    if (gone) return finish();
    if (inputEnded && window.length === 0) {
      call.end();
      finish();
    }
  };

  call.on('data', (message: In) => {
    if (gone) return;
    window.push(handle(message));
    if (window.length >= maxInFlight && !paused) {
      paused = true;
      call.pause();
    }
    void pump();
  });
  call.on('end', () => {
    inputEnded = true;
    void pump();
  });
  const leave = () => {
    gone = true;
    if (!pumping) finish();
  };
  call.on('cancelled', leave);
  call.on('error', leave);
  call.on('close', () => {
    if (!inputEnded || window.length > 0) leave();
  });
  return finished;
}

function waitForDrainOrGone(call: EventEmitter, resolve: () => void): void {
  const done = () => {
    call.off('drain', done);
    call.off('cancelled', done);
    call.off('close', done);
    resolve();
  };
  call.once('drain', done);
  call.once('cancelled', done);
  call.once('close', done);
}
