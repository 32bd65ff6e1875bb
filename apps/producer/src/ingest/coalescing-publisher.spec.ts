import { type PartitionAnswer, recordOffsets } from '@async2/data-access';
import { CoalescingPublisher, type CoalescingOptions, type OutgoingRecord, type PublishOutcome } from './coalescing-publisher';
import { OverloadedError, PublishUnavailableError } from './ingest-errors';

const LINGER = 5;
const TIMEOUT = 1000;

const rec = (partition: number, value = `v${partition}`): OutgoingRecord => ({ partition, key: `k${partition}`, value });
const meta = (partition: number, baseOffset: number): PartitionAnswer => ({ topicName: 'events', partition, errorCode: 0, baseOffset: String(baseOffset) });

interface Call {
  messages: OutgoingRecord[];
  resolve: (m: PartitionAnswer[]) => void;
  reject: (e: Error) => void;
}

/** A fake Kafka: every send waits until the test answers it. */
function fakeKafka() {
  const calls: Call[] = [];
  const send = jest.fn(
    (messages: OutgoingRecord[]) => new Promise<PartitionAnswer[]>((resolve, reject) => calls.push({ messages: [...messages], resolve, reject })),
  );
  return { calls, send };
}

/**
 * The publisher over a fake Kafka answering as a broker does (per partition); the answer is turned
 * into offsets by the rule every adapter applies (recordOffsets), so a bad answer fails the send.
 */
function publisher(send: (m: OutgoingRecord[]) => Promise<PartitionAnswer[]>, options: Partial<CoalescingOptions> = {}) {
  const sendBatch = async (m: OutgoingRecord[]) => recordOffsets('events', m.map((r) => r.partition), await send(m));
  return new CoalescingPublisher(sendBatch, { lingerMs: LINGER, maxBatchEvents: 100, maxBatchBytes: 1024 * 1024, maxPendingEvents: 1000, timeoutMs: TIMEOUT, ...options });
}

/** Lets queued promise callbacks run (the drain loop awaits between sends). */
async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const unavailable = (message: RegExp) => ({ ok: false, error: expect.objectContaining({ name: 'PublishUnavailableError', message: expect.stringMatching(message) }) });

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('CoalescingPublisher batching', () => {
  it('sends concurrent publishes within the linger window in one request, with per-partition offsets', async () => {
    const kafka = fakeKafka();
    const pub = publisher(kafka.send);
    const first = pub.publish([rec(0, 'a')]);
    jest.advanceTimersByTime(LINGER - 1);
    const second = pub.publish([rec(1, 'b'), rec(0, 'c')]);
    expect(kafka.send).not.toHaveBeenCalled();

    jest.advanceTimersByTime(1);
    expect(kafka.send).toHaveBeenCalledTimes(1);
    expect(kafka.calls[0].messages.map((m) => [m.partition, m.value])).toEqual([[0, 'a'], [1, 'b'], [0, 'c']]);

    kafka.calls[0].resolve([meta(0, 10), meta(1, 5)]);
    expect(await first).toEqual([{ ok: true, partition: 0, offset: 10 }]);
    expect(await second).toEqual([{ ok: true, partition: 1, offset: 5 }, { ok: true, partition: 0, offset: 11 }]);
    expect(pub.pendingCount).toBe(0);
  });

  it('queues records published while a send is in flight and sends them together next', async () => {
    const kafka = fakeKafka();
    const pub = publisher(kafka.send);
    const first = pub.publish([rec(0)]);
    jest.advanceTimersByTime(LINGER);
    const later = [pub.publish([rec(0, 'x')]), pub.publish([rec(1, 'y')]), pub.publish([rec(0, 'z')])];
    jest.advanceTimersByTime(LINGER * 10);
    expect(kafka.send).toHaveBeenCalledTimes(1);
    expect(pub.pendingCount).toBe(4);

    kafka.calls[0].resolve([meta(0, 0)]);
    expect(await first).toEqual([{ ok: true, partition: 0, offset: 0 }]);
    await settleMicrotasks();
    expect(kafka.send).toHaveBeenCalledTimes(2);
    expect(kafka.calls[1].messages.map((m) => m.value)).toEqual(['x', 'y', 'z']);

    kafka.calls[1].resolve([meta(0, 1), meta(1, 40)]);
    expect(await Promise.all(later)).toEqual([
      [{ ok: true, partition: 0, offset: 1 }],
      [{ ok: true, partition: 1, offset: 40 }],
      [{ ok: true, partition: 0, offset: 2 }],
    ]);
    expect(pub.pendingCount).toBe(0);
  });

  it('splits a queue larger than maxBatchEvents into several sends, in order', async () => {
    const sizes: number[] = [];
    let base = 0;
    const send = jest.fn(async (messages: OutgoingRecord[]) => {
      sizes.push(messages.length);
      const answer = [meta(0, base)];
      base += messages.length;
      return answer;
    });
    const pub = publisher(send, { maxBatchEvents: 2 });
    const outcomes = pub.publish(Array.from({ length: 5 }, () => rec(0)));
    await jest.advanceTimersByTimeAsync(LINGER);
    expect(sizes).toEqual([2, 2, 1]);
    expect((await outcomes).map((o) => (o.ok ? o.offset : -1))).toEqual([0, 1, 2, 3, 4]);
    expect(pub.pendingCount).toBe(0);
  });

  it('splits by bytes too: no partition carries more than maxBatchBytes in one request, order kept', async () => {
    const sent: string[][] = [];
    let base = 0;
    const send = jest.fn(async (messages: OutgoingRecord[]) => {
      sent.push(messages.map((m) => String(m.value).slice(0, 2)));
      const answer = [...new Set(messages.map((m) => m.partition))].map((p) => meta(p, base));
      base += messages.length;
      return answer;
    });
    const pub = publisher(send, { maxBatchBytes: 250 });
    const big = (partition: number, tag: string) => rec(partition, tag + 'x'.repeat(98)); // 100 + 2 key + 40 framing = 142 bytes
    const outcomes = pub.publish([big(0, 'a1'), big(0, 'a2'), big(1, 'b1'), big(0, 'a3'), big(1, 'b2')]);
    await jest.advanceTimersByTimeAsync(LINGER);
    expect(sent).toEqual([['a1', 'b1'], ['a2', 'b2'], ['a3']]);
    expect((await outcomes).every((o) => o.ok)).toBe(true);
  });

  it("sends one leader's partitions per request, the groups one after another (one request in flight)", async () => {
    const kafka = fakeKafka();
    const leaderOf = (partition: number) => (partition % 2 === 0 ? 1 : 2); // broker 1 leads 0 and 2, broker 2 leads 1 and 3
    const pub = publisher(kafka.send, { leaderOf });
    const outcomes = pub.publish([rec(0, 'a'), rec(1, 'b'), rec(2, 'c'), rec(3, 'd'), rec(0, 'e')]);
    jest.advanceTimersByTime(LINGER);
    expect(kafka.calls.map((c) => c.messages.map((m) => m.value))).toEqual([['a', 'c', 'e']]);
    kafka.calls[0].resolve([meta(0, 10), meta(2, 20)]);
    await settleMicrotasks();
    expect(kafka.calls.map((c) => c.messages.map((m) => m.value))).toEqual([['a', 'c', 'e'], ['b', 'd']]);
    kafka.calls[1].resolve([meta(1, 5), meta(3, 7)]);
    expect((await outcomes).map((o) => (o.ok ? `${o.partition}@${o.offset}` : 'failed'))).toEqual(['0@10', '1@5', '2@20', '3@7', '0@11']);
  });

  it('sends at once without a linger when lingerMs is 0', () => {
    const kafka = fakeKafka();
    void publisher(kafka.send, { lingerMs: 0 }).publish([rec(2)]);
    expect(kafka.send).toHaveBeenCalledTimes(1);
  });
});

describe('CoalescingPublisher failures', () => {
  it('a rejected send fails every record of that send with PublishUnavailableError', async () => {
    const kafka = fakeKafka();
    const pub = publisher(kafka.send);
    const outcomes = [pub.publish([rec(0), rec(1)]), pub.publish([rec(2)])];
    jest.advanceTimersByTime(LINGER);
    kafka.calls[0].reject(new Error('broker down'));
    const results = (await Promise.all(outcomes)).flat();
    expect(results).toEqual([unavailable(/broker down/), unavailable(/broker down/), unavailable(/broker down/)]);
    for (const r of results) expect((r as { error: unknown }).error).toBeInstanceOf(PublishUnavailableError);
    expect(pub.pendingCount).toBe(0);

    // the publisher keeps working after a failure
    const again = pub.publish([rec(0)]);
    jest.advanceTimersByTime(LINGER);
    kafka.calls[1].resolve([meta(0, 7)]);
    expect(await again).toEqual([{ ok: true, partition: 0, offset: 7 }]);
  });

  it('refuses synchronously with OverloadedError beyond maxPendingEvents, queuing nothing', async () => {
    const kafka = fakeKafka();
    const pub = publisher(kafka.send, { maxPendingEvents: 3 });
    const accepted = pub.publish([rec(0, 'a'), rec(0, 'b')]);
    expect(() => pub.publish([rec(1, 'c'), rec(1, 'd')])).toThrow(OverloadedError);
    expect(pub.pendingCount).toBe(2);

    jest.advanceTimersByTime(LINGER);
    expect(kafka.send).toHaveBeenCalledTimes(1);
    expect(kafka.calls[0].messages.map((m) => m.value)).toEqual(['a', 'b']);
    kafka.calls[0].resolve([meta(0, 0)]);
    await accepted;
    expect(pub.pendingCount).toBe(0);
    await settleMicrotasks();
    expect(kafka.send).toHaveBeenCalledTimes(1);
  });

  it('a send that never answers: the caller is told after timeoutMs; the records stay counted until Kafka answers', async () => {
    const kafka = fakeKafka();
    const pub = publisher(kafka.send, { maxPendingEvents: 2 });
    let outcome: PublishOutcome[] | undefined;
    void pub.publish([rec(0)]).then((o) => (outcome = o));
    jest.advanceTimersByTime(LINGER);
    await jest.advanceTimersByTimeAsync(TIMEOUT - LINGER - 1);
    expect(outcome).toBeUndefined();

    await jest.advanceTimersByTimeAsync(1);
    expect(outcome).toEqual([unavailable(/did not acknowledge within 1000 ms/)]);
    // still in flight: it holds its place under maxPendingEvents, so a hung Kafka pushes back
    expect(pub.pendingCount).toBe(1);
    const queued = pub.publish([rec(1)]);
    expect(() => pub.publish([rec(1)])).toThrow(OverloadedError);

    kafka.calls[0].resolve([meta(0, 3)]); // the late answer
    await settleMicrotasks();
    expect(outcome).toEqual([unavailable(/did not acknowledge/)]);
    expect(pub.pendingCount).toBe(1);
    expect(kafka.calls[1].messages).toEqual([rec(1)]);
    kafka.calls[1].resolve([meta(1, 0)]);
    expect(await queued).toEqual([{ ok: true, partition: 1, offset: 0 }]);
    expect(pub.pendingCount).toBe(0);
  });

  it('a record still queued when its caller is answered 503 is withdrawn: never sent afterwards, and it frees its place', async () => {
    const kafka = fakeKafka();
    const pub = publisher(kafka.send, { maxPendingEvents: 3 });
    let stuck: PublishOutcome[] | undefined;
    let queued: PublishOutcome[] | undefined;
    void pub.publish([rec(0, 'on-the-wire')]).then((o) => (stuck = o));
    jest.advanceTimersByTime(LINGER); // the first request goes out and hangs
    await jest.advanceTimersByTimeAsync(100);
    void pub.publish([rec(1, 'late-original'), rec(2, 'late-original-2')]).then((o) => (queued = o)); // waits behind it
    expect(kafka.send).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(TIMEOUT - LINGER - 100); // t = TIMEOUT: the first caller's deadline
    expect(stuck).toEqual([unavailable(/did not acknowledge within 1000 ms; outcome unknown/)]);
    expect(queued).toBeUndefined();
    await jest.advanceTimersByTimeAsync(LINGER + 100); // the second caller's deadline
    expect(queued).toEqual([unavailable(/was not sent and will not be/), unavailable(/was not sent and will not be/)]);
    expect(pub.pendingCount).toBe(1); // only the request on the wire is still counted

    // the client's retry (same eventId) is queued; then the stuck request ends
    const retry = pub.publish([rec(1, 'retry')]);
    kafka.calls[0].resolve([meta(0, 3)]);
    await settleMicrotasks();
    await jest.advanceTimersByTimeAsync(LINGER);
    expect(kafka.send).toHaveBeenCalledTimes(2);
    expect(kafka.calls[1].messages.map((m) => m.value)).toEqual(['retry']); // the late originals never went out
    kafka.calls[1].resolve([meta(1, 0)]);
    expect(await retry).toEqual([{ ok: true, partition: 1, offset: 0 }]);
    expect(pub.pendingCount).toBe(0);
  });

  it.each([
    ['one partition of two answered', [meta(0, 10)], /no answer for partition 1/],
    ['a partition answered twice', [meta(0, 10), meta(1, 0), meta(1, 4)], /partition 1 answered twice/],
    ['a partition not sent', [meta(0, 10), meta(1, 0), meta(2, 0)], /partition 2 was not sent/],
    ['an unusable offset', [meta(0, 10), { ...meta(1, 0), baseOffset: 'nope' }], /partition 1 has no usable offset/],
  ])('%s: the send failed, every record of it is answered unavailable (503)', async (_case, answer, problem) => {
    const kafka = fakeKafka();
    const pub = publisher(kafka.send);
    const outcomes = pub.publish([rec(0), rec(1), rec(0)]);
    jest.advanceTimersByTime(LINGER);
    kafka.calls[0].resolve(answer);
    expect(await outcomes).toEqual([unavailable(problem), unavailable(problem), unavailable(problem)]);
    expect(pub.pendingCount).toBe(0);
  });
});
