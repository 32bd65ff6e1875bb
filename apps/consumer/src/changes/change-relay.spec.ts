import { type FencedOutboxRelay, type KafkaRecord, type PendingChange, type RecordSender, decodeChangeRecord } from '@async2/data-access';
import { type JsonObject, partitionForKey } from '@async2/domain';
import type { Logger } from '@nestjs/common';
import { FailPoints } from '../faults/fail-point';
import { ChangeRelay } from './change-relay';

// The relay's own logic with the outbox and the sender stood in for (their real behaviour is in
// fenced-outbox-relay.int.spec.ts and the change-stream e2e): what it sends, on which partition,
// in which slices, and that it checks the lock before each slice.

const PARTITIONS = 6;

let seq = 0;
function pending(id: string, version: number, state: JsonObject = { n: version }): PendingChange {
  seq++;
  return { seq: String(seq), committedAt: new Date(0), change: { id, version, deleted: false, state, partition: 0, offset: seq, ts: 1_700_000_000_000 + seq } };
}

/** An outbox of `rows` (one live claim on partition 0): publishes them in one batch, deletes them if the publish resolved. */
function fakeOutbox(rows: PendingChange[], lockAliveFor = Infinity) {
  const outbox = {
    rows: [...rows],
    lockChecks: 0,
    async relayBatch(_claims: unknown, limit: number, publish: (changes: PendingChange[], lockAlive: () => void) => Promise<void>) {
      const batch = outbox.rows.slice(0, limit);
      if (batch.length === 0) return { published: 0, lost: [] };
      await publish(batch, () => {
        if (++outbox.lockChecks > lockAliveFor) throw new Error('lock expired');
      });
      outbox.rows = outbox.rows.slice(batch.length);
      return { published: batch.length, lost: [] };
    },
  };
  return outbox;
}

function recordingSender(): RecordSender & { sends: KafkaRecord[][] } {
  const sends: KafkaRecord[][] = [];
  return {
    sends,
    send: async (_topic, records) => {
      sends.push([...records]);
      return records.map((_, i) => i);
    },
    close: async () => undefined,
  };
}

function relayOf(outbox: ReturnType<typeof fakeOutbox>, sender: RecordSender): ChangeRelay {
  return new ChangeRelay({
    outbox: outbox as unknown as FencedOutboxRelay,
    sender,
    topic: 'events.changes',
    partitionCount: PARTITIONS,
    claims: () => [{ partition: 0, epoch: 1 }],
    logger: { warn: jest.fn() } as unknown as Logger,
    failPoints: new FailPoints(undefined),
  });
}

const decoded = (r: KafkaRecord) => {
  const result = decodeChangeRecord(r.key as Buffer, r.value as Buffer);
  if (!result.ok) throw new Error(result.reason);
  return result.change;
};

describe('ChangeRelay', () => {
  it("sends each id's newest change on the partition Kafka's default partitioner gives the id, and empties the outbox", async () => {
    const outbox = fakeOutbox([pending('a', 1), pending('b', 1), pending('a', 2), pending('c', 1)]);
    const sender = recordingSender();
    await relayOf(outbox, sender).drain();
    const sent = sender.sends.flat();
    expect(sent.map((r) => `${decoded(r).id}@${decoded(r).version}`)).toEqual(['b@1', 'a@2', 'c@1']);
    expect(sent.map((r) => r.partition)).toEqual(['b', 'a', 'c'].map((id) => partitionForKey(id, PARTITIONS)));
    expect(outbox.rows).toEqual([]);
  });

  it('sends a batch above the size bound in slices, one after another, checking the lock before each', async () => {
    const big = { blob: 'x'.repeat(300 * 1024) };
    const outbox = fakeOutbox([pending('a', 1, big), pending('b', 1, big), pending('c', 1, big)]);
    const sender = recordingSender();
    await relayOf(outbox, sender).drain();
    expect(sender.sends.map((slice) => slice.map((r) => decoded(r).id))).toEqual([['a', 'b'], ['c']]);
    expect(outbox.lockChecks).toBe(2);
  });

  it('sends no slice once the lock is too old: the rows stay in the outbox', async () => {
    const big = { blob: 'x'.repeat(300 * 1024) };
    const outbox = fakeOutbox([pending('a', 1, big), pending('b', 1, big), pending('c', 1, big)], 1);
    const sender = recordingSender();
    await expect(relayOf(outbox, sender).drain()).rejects.toThrow('lock expired');
    expect(sender.sends.map((slice) => slice.map((r) => decoded(r).id))).toEqual([['a', 'b']]);
    expect(outbox.rows).toHaveLength(3);
  });
});
