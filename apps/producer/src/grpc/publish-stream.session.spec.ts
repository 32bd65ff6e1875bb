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

/** A handler whose answers the test releases one by one, in any order. */
function controllable() {
  const pending = new Map<number, (answer: string) => void>();
  const handle = jest.fn((n: number) => new Promise<string>((resolve) => pending.set(n, resolve)));
  return { handle, answer: (n: number) => pending.get(n)!(`ok-${n}`) };
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('servePublishStream', () => {
  it('answers every event in the order received, even when answers arrive out of order, then ends', async () => {
    const call = new FakeCall();
    const { handle, answer } = controllable();
    const done = servePublishStream(call, handle, 100);
    call.send(1, 2, 3);
    answer(3);
    answer(2);
    await flush();
    expect(call.written).toEqual([]);
    answer(1);
    await flush();
    expect(call.written).toEqual(['ok-1', 'ok-2', 'ok-3']);
    call.finishInput();
    await done;
    expect(call.ended).toBe(true);
  });

  it('reads at most maxInFlight events ahead of its answers, and resumes as answers go out', async () => {
    const call = new FakeCall();
    const { handle, answer } = controllable();
    void servePublishStream(call, handle, 3);
    call.send(...Array.from({ length: 10 }, (_, i) => i));
    expect(handle).toHaveBeenCalledTimes(3); // a slow Kafka: the rest waits in the client, not here
    expect(call.paused).toBe(true);
    expect(call.backlog).toHaveLength(7);

    answer(0);
    await flush();
    expect(call.written).toEqual(['ok-0']);
    expect(handle).toHaveBeenCalledTimes(4);
    expect(call.paused).toBe(true);
    for (let i = 1; i < 10; i++) {
      answer(i);
      await flush();
    }
    expect(call.written).toHaveLength(10);
    expect(handle).toHaveBeenCalledTimes(10);
  });

  it('a client that does not read its answers also holds the stream (write() false until drain)', async () => {
    const call = new FakeCall();
    call.writable = false;
    const { handle, answer } = controllable();
    void servePublishStream(call, handle, 2);
    call.send(0, 1, 2, 3);
    answer(0);
    answer(1);
    await flush();
    expect(call.written).toEqual(['ok-0']); // waiting for drain
    expect(handle).toHaveBeenCalledTimes(2);
    call.writable = true;
    call.emit('drain');
    await flush();
    expect(call.written).toEqual(['ok-0', 'ok-1']);
    expect(handle).toHaveBeenCalledTimes(4);
  });

  it('writes nothing after the client went away, even for events that complete later', async () => {
    const call = new FakeCall();
    const { handle, answer } = controllable();
    const done = servePublishStream(call, handle, 10);
    call.send(0, 1, 2);
    answer(0);
    await flush();
    call.emit('cancelled');
    answer(1);
    answer(2);
    await done;
    await flush();
    expect(call.written).toEqual(['ok-0']);
    call.send(3);
    expect(handle).toHaveBeenCalledTimes(3);
    expect(call.ended).toBe(false);
  });
});
