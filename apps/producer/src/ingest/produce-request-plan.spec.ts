import { batchBytesLimit, recordBytes, takeProduceRequest, type PlannedRecord, type ProduceRequestLimits } from './produce-request-plan';

const limits: ProduceRequestLimits = { maxEvents: 100, maxBatchBytes: 1000, maxRequestBytes: 10_000 };
const take = (queue: PlannedRecord[], l = limits) => {
  const { request, rest } = takeProduceRequest(queue, (r) => r, l);
  return { request: request.map((r) => queue.indexOf(r)), rest: rest.map((r) => queue.indexOf(r)) };
};
const r = (partition: number, bytes: number): PlannedRecord => ({ partition, bytes });

describe('takeProduceRequest', () => {
  it('takes everything that fits, in queue order', () => {
    expect(take([r(0, 100), r(1, 100), r(0, 100)])).toEqual({ request: [0, 1, 2], rest: [] });
  });

  it('splits by count', () => {
    expect(take([r(0, 1), r(1, 1), r(2, 1)], { ...limits, maxEvents: 2 })).toEqual({ request: [0, 1], rest: [2] });
  });

  it("closes a partition whose batch is full (its later records wait, order kept) while the others' still join", () => {
    expect(take([r(0, 600), r(0, 600), r(1, 600), r(0, 10), r(1, 300)])).toEqual({ request: [0, 2, 4], rest: [1, 3] });
  });

  it('splits by request bytes across partitions', () => {
    expect(take([r(0, 900), r(1, 900), r(2, 900)], { ...limits, maxRequestBytes: 2000 })).toEqual({ request: [0, 1], rest: [2] });
  });

  it("carries only the first record's leader's partitions; the others wait, in order", () => {
    const leaderOf = (partition: number) => [1, 2, 1, 2][partition];
    expect(take([r(1, 1), r(0, 1), r(1, 1), r(2, 1), r(3, 1), r(2, 1)], { ...limits, leaderOf })).toEqual({ request: [0, 2, 4], rest: [1, 3, 5] }); // partitions 1 and 3 (broker 2) first
  });

  it('a record larger than the batch limit still goes, alone in its batch', () => {
    expect(take([r(0, 5000), r(0, 1), r(1, 1)])).toEqual({ request: [0, 2], rest: [1] });
  });

  it('twenty 64 KiB events for one partition under a 1 MiB max.message.bytes: requests of 15, then 5, each batch under the limit', () => {
    const event = { key: 'id-1', value: Buffer.alloc(64 * 1024), headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } };
    const queue = Array.from({ length: 20 }, () => ({ partition: 0, bytes: recordBytes(event) }));
    const l = { maxEvents: 5000, maxBatchBytes: batchBytesLimit(1024 * 1024), maxRequestBytes: 32 * 1024 * 1024 };
    const first = takeProduceRequest(queue, (x) => x, l);
    const second = takeProduceRequest(first.rest, (x) => x, l);
    expect([first.request.length, second.request.length, second.rest.length]).toEqual([15, 5, 0]);
    expect(first.request.reduce((sum, x) => sum + x.bytes, 0) + 61).toBeLessThanOrEqual(1024 * 1024); // 61: the batch header
  });
});

describe('recordBytes', () => {
  it('counts key, value, headers and an upper bound of the v2 record framing', () => {
    expect(recordBytes({ key: 'ab', value: Buffer.alloc(10) })).toBe(40 + 2 + 10);
    expect(recordBytes({ key: null, value: 'é', headers: { h: 'xy', m: Buffer.alloc(3) } })).toBe(40 + 2 + (10 + 1 + 2) + (10 + 1 + 3));
  });
});
