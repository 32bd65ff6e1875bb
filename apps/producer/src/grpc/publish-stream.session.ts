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
 * Serves one PublishStream. The events read in one turn of the event loop are handed to
 * `handleBatch` together (gathered until setImmediate: grpc-js delivers the messages of one HTTP/2
 * read in the same turn), so a stream costs what an HTTP batch does: one publish call, one promise
 * and one timer for many events, which share produce requests. Answers go out one per event, in the
 * order received. `handleBatch` answers every event of its batch, in order, and never rejects.
 *
 * Flow control: at most `maxInFlight` events are read ahead of their written answers. At the bound
 * the call is paused, grpc-js stops reading the HTTP/2 stream, and the client's writes block on
 * HTTP/2 flow control; it resumes as answers go out. A slow Kafka (or a client that does not read
 * its answers: `write()` returning false counts too) slows the sender instead of filling memory.
 *
 * When the client goes away, nothing more is written; events already handed over finish their
 * publish (they cannot be recalled) but are never reported to anyone as acknowledged; events read
 * but not yet handed over are dropped (never published, never answered).
 */
export function servePublishStream<In, Out>(call: DuplexCall<In, Out>, handleBatch: (messages: In[]) => Promise<Out[]>, maxInFlight: number): Promise<void> {
  /** The batches handed over, oldest first: their answers are written in this order. */
  const window: Array<Promise<Out[]>> = [];
  /** Events read in this turn of the event loop, not yet handed over. */
  let gathering: In[] = [];
  /** Events read and not yet answered (gathering and window). */
  let unanswered = 0;
  let inputEnded = false;
  let gone = false;
  let pumping = false;
  let paused = false;
  let finish: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const handOver = () => {
    const batch = gathering;
    gathering = [];
    if (gone) return;
    window.push(handleBatch(batch));
    void pump();
  };

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (window.length > 0 && !gone) {
        const answers = await window[0];
        if (gone) break;
        window.shift();
        for (const answer of answers) {
          if (gone) break;
          if (!call.write(answer)) await new Promise<void>((resolve) => waitForDrainOrGone(call, resolve));
          unanswered -= 1;
          if (paused && unanswered < maxInFlight && !gone) {
            paused = false;
            call.resume();
          }
        }
      }
    } finally {
      pumping = false;
    }
    if (gone) return finish();
    if (inputEnded && window.length === 0 && gathering.length === 0) {
      call.end();
      finish();
    }
  };

  call.on('data', (message: In) => {
    if (gone) return;
    if (gathering.push(message) === 1) setImmediate(handOver);
    unanswered += 1;
    if (unanswered >= maxInFlight && !paused) {
      paused = true;
      call.pause();
    }
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
    if (!inputEnded || unanswered > 0) leave();
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
