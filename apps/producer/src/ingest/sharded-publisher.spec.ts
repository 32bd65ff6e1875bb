import { CoalescingPublisher, type OutgoingRecord } from './coalescing-publisher';
import { OverloadedError } from './ingest-errors';
import { ShardedPublisher, shardOf } from './sharded-publisher';

const rec = (partition: number, value: string): OutgoingRecord => ({ partition, key: `k${partition}`, value });

interface Call {
  records: OutgoingRecord[];
  answer: () => void;
  fail: (error: Error) => void;
}

/** Shards over fake Kafka senders that answer only when the test says so; offsets count per partition. */
function shardsOverFakeKafka(count: number, maxPendingEvents = 1000) {
  const calls: Call[][] = Array.from({ length: count }, () => []);
  const ends = new Map<number, number>();
  const shards = calls.map(
    (mine) =>
      new CoalescingPublisher(
        (records) =>
          new Promise<number[]>((resolve, reject) => {
            mine.push({
              records: [...records],
              answer: () => resolve(records.map((r) => { const offset = ends.get(r.partition) ?? 0; ends.set(r.partition, offset + 1); return offset; })),
              fail: reject,
            });
          }),
        { lingerMs: 0, maxBatchEvents: 100, maxBatchBytes: 1024 * 1024, maxPendingEvents, timeoutMs: 10_000 },
      ),
  );
  return { calls, shards, publisher: new ShardedPublisher(shards, maxPendingEvents) };
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

// Records left unanswered keep their callers' timers: fake timers, so none outlives a test.
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('ShardedPublisher', () => {
  it('a partition always belongs to the same shard', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((p) => shardOf(p, 3))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(shardOf(7, 1)).toBe(0);
  });

  it('splits one call by partition, keeps two requests in flight at once, and answers in the order of the call', async () => {
    const { calls, publisher } = shardsOverFakeKafka(2);
    const answered = publisher.publish([rec(0, 'a'), rec(1, 'b'), rec(2, 'c'), rec(3, 'd'), rec(0, 'e')]);
    await settle();
    // Both shards sent before either was answered: two produce requests in flight.
    expect(calls.map((mine) => mine.map((c) => c.records.map((r) => r.value)))).toEqual([[['a', 'c', 'e']], [['b', 'd']]]);
    calls[1][0].answer();
    calls[0][0].answer();
    expect(await answered).toEqual([
      { ok: true, partition: 0, offset: 0 },
      { ok: true, partition: 1, offset: 0 },
      { ok: true, partition: 2, offset: 0 },
      { ok: true, partition: 3, offset: 0 },
      { ok: true, partition: 0, offset: 1 },
    ]);
  });

  it("a partition's records go out in the order published, across calls, while another shard is stalled", async () => {
    const { calls, publisher } = shardsOverFakeKafka(2);
    const first = publisher.publish([rec(1, 'x1'), rec(0, 'y1')]);
    await settle();
    const second = publisher.publish([rec(1, 'x2')]);
    const third = publisher.publish([rec(1, 'x3'), rec(2, 'z1')]);
    await settle();
    // Shard 0 (partitions 0 and 2) never answers its first request; shard 1 goes on, in order.
    calls[1][0].answer();
    await settle();
    expect(calls[1][1].records.map((r) => r.value)).toEqual(['x2', 'x3']);
    calls[1][1].answer();
    await settle();
    expect(calls[0]).toHaveLength(1);
    expect(await second).toEqual([{ ok: true, partition: 1, offset: 1 }]);
    calls[0][0].answer();
    await settle();
    expect(calls[0][1].records.map((r) => r.value)).toEqual(['z1']);
    calls[0][1].answer();
    expect(await first).toEqual([{ ok: true, partition: 1, offset: 0 }, { ok: true, partition: 0, offset: 0 }]);
    expect(await third).toEqual([{ ok: true, partition: 1, offset: 2 }, { ok: true, partition: 2, offset: 0 }]);
  });

  it("a failed request fails only its shard's records of the call", async () => {
    const { calls, publisher } = shardsOverFakeKafka(2);
    const answered = publisher.publish([rec(0, 'a'), rec(1, 'b')]);
    await settle();
    calls[0][0].fail(new Error('NOT_LEADER_OR_FOLLOWER'));
    calls[1][0].answer();
    expect(await answered).toEqual([
      { ok: false, error: expect.objectContaining({ name: 'PublishUnavailableError', message: expect.stringContaining('NOT_LEADER_OR_FOLLOWER') }) },
      { ok: true, partition: 1, offset: 0 },
    ]);
  });

  it('refuses a whole call over the bound on waiting records before any shard takes one of it', async () => {
    const { calls, shards, publisher } = shardsOverFakeKafka(2, 4);
    void publisher.publish([rec(0, 'a'), rec(1, 'b'), rec(2, 'c')]);
    expect(publisher.pendingCount).toBe(3);
    expect(() => publisher.publish([rec(1, 'd'), rec(0, 'e')])).toThrow(OverloadedError);
    expect(shards.map((s) => s.pendingCount)).toEqual([2, 1]);
    await settle();
    expect(calls.flat().flatMap((c) => c.records.map((r) => r.value))).toEqual(['a', 'c', 'b']);
    // Within the bound, taken.
    void publisher.publish([rec(1, 'f')]);
    expect(publisher.pendingCount).toBe(4);
  });

  it('with one shard, it is that shard', async () => {
    const { calls, shards, publisher } = shardsOverFakeKafka(1, 2);
    const answered = publisher.publish([rec(0, 'a'), rec(5, 'b')]);
    expect(() => publisher.publish([rec(1, 'c')])).toThrow(OverloadedError);
    await settle();
    calls[0][0].answer();
    expect(await answered).toEqual([{ ok: true, partition: 0, offset: 0 }, { ok: true, partition: 5, offset: 0 }]);
    expect(shards[0].pendingCount).toBe(0);
  });
});
