import { EventEmitter } from 'node:events';
import { type DuplexCall, servePublishStream } from './publish-stream.session';

/** A duplex call that honours pause() like a Node stream: paused, it delivers nothing until resume(). */
class FakeCall extends EventEmitter implements DuplexCall<number, string> {
  readonly written: string[] = [];
  readonly backlog: number[] = [];
  paused = false;
  pauses = 0;
  ended = false;
  writable = true;

  pause() {
    this.paused = true;
    this.pauses += 1;
  }
  resume() {
    this.paused = false;
    this.deliver();
  }
  write(message: string): boolean {
    this.written.push(message);
    return this.writable;
  }
  end() {
    this.ended = true;
  }
  send(...messages: number[]) {
    this.backlog.push(...messages);
    this.deliver();
  }
  finishInput() {
    this.emit('end');
  }
  private deliver() {
    while (!this.paused && this.backlog.length > 0) this.emit('data', this.backlog.shift());
  }
}

/** A batch handler whose answers the test releases event by event, in any order; a batch answers when all its events have. */
function controllable() {
  const pending = new Map<number, (answer: string) => void>();
  const batches: number[][] = [];
  const handle = jest.fn((batch: number[]) => {
    batches.push(batch);
    return Promise.all(batch.map((n) => new Promise<string>((resolve) => pending.set(n, resolve))));
  });
  const handed = () => batches.flat().length;
  return { handle, batches, handed, answer: (n: number) => pending.get(n)!(`ok-${n}`) };
}

/** Lets the session hand over what it gathered (setImmediate) and settle its promises. */
const flush = async () => {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    for (let j = 0; j < 20; j++) await Promise.resolve();
  }
};

describe('servePublishStream', () => {
  it('hands the events read in one turn over as one batch, and answers every event in the order received, then ends', async () => {
    const call = new FakeCall();
    const { handle, batches, answer } = controllable();
    const done = servePublishStream(call, handle, 100);
    call.send(1, 2, 3);
    await flush();
    call.send(4);
    await flush();
    expect(batches).toEqual([[1, 2, 3], [4]]);
    answer(4);
    answer(3);
    answer(2);
    await flush();
    expect(call.written).toEqual([]);
    answer(1);
    await flush();
    expect(call.written).toEqual(['ok-1', 'ok-2', 'ok-3', 'ok-4']);
    call.finishInput();
    await done;
    expect(call.ended).toBe(true);
  });

  it('ends only once the events read before the end of input are answered', async () => {
    const call = new FakeCall();
    const { handle, answer } = controllable();
    const done = servePublishStream(call, handle, 100);
    call.send(1, 2);
    call.finishInput(); // before the batch is handed over
    await flush();
    expect(call.ended).toBe(false);
    answer(1);
    answer(2);
    await done;
    expect(call.written).toEqual(['ok-1', 'ok-2']);
    expect(call.ended).toBe(true);
  });

  it('reads at most maxInFlight events ahead of its answers, and resumes as answers go out', async () => {
    const call = new FakeCall();
    const { handle, handed, answer } = controllable();
    void servePublishStream(call, handle, 3);
    call.send(...Array.from({ length: 10 }, (_, i) => i));
    await flush();
    expect(handed()).toBe(3); // a slow Kafka: the rest waits in the client, not here
    expect(call.paused).toBe(true);
    expect(call.backlog).toHaveLength(7);

    answer(0);
    answer(1);
    await flush();
    expect(call.written).toEqual([]); // a batch is answered as a whole
    expect(handed()).toBe(3);
    answer(2);
    await flush();
    expect(call.written).toEqual(['ok-0', 'ok-1', 'ok-2']);
    expect(handed()).toBe(6);
    expect(call.paused).toBe(true);
    for (let i = 3; i < 10; i++) {
      expect(handed()).toBeGreaterThan(i); // handed over once the answers before it went out
      answer(i);
      await flush();
    }
    expect(call.written).toHaveLength(10);
    expect(handed()).toBe(10);
  });

  it('a client that does not read its answers also holds the stream (write() false until drain)', async () => {
    const call = new FakeCall();
    call.writable = false;
    const { handle, handed, answer } = controllable();
    void servePublishStream(call, handle, 2);
    call.send(0, 1, 2, 3);
    await flush();
    answer(0);
    answer(1);
    await flush();
    expect(call.written).toEqual(['ok-0']); // waiting for drain
    expect(handed()).toBe(2);
    call.writable = true;
    call.emit('drain');
    await flush();
    expect(call.written).toEqual(['ok-0', 'ok-1']);
    expect(handed()).toBe(4);
  });

  it('writes nothing after the client went away, even for events that complete later, and hands over nothing more', async () => {
    const call = new FakeCall();
    const { handle, handed, answer } = controllable();
    const done = servePublishStream(call, handle, 10);
    call.send(0);
    await flush();
    call.send(1, 2);
    await flush();
    answer(0);
    await flush();
    call.send(3); // read, not yet handed over when the client goes
    call.emit('cancelled');
    answer(1);
    answer(2);
    await done;
    await flush();
    expect(call.written).toEqual(['ok-0']);
    call.send(4);
    await flush();
    expect(handed()).toBe(3);
    expect(call.ended).toBe(false);
  });
});
