import { testBrokers, testKafka, uniqueName, waitFor } from '@async2/testing';
import type { KafkaSettings } from '../kafka-settings';
import { KAFKA_CLIENTS, type KafkaAdmin, type KafkaClientName, type KafkaPort, type RecordSender } from './kafka.port';
import { openKafkaPort } from './open-kafka-port';
import type { RecordSource, SourceBatch } from './record-source';

// The consuming side of the port's contract, the same spec for every client, on a real broker.

const settings = (client: KafkaClientName, brokers: string[]): KafkaSettings => ({ client, brokers, clientId: `source-${client}`, ssl: false });

/** What a source handed over, per partition, in the order handed over ("offset:value"). */
class Received {
  readonly byPartition = new Map<number, string[]>();
  readonly batches: SourceBatch[] = [];

  handle = async (batch: SourceBatch): Promise<void> => {
    this.batches.push(batch);
    const list = this.byPartition.get(batch.partition) ?? [];
    for (const r of batch.records) {
      if (!batch.isCurrent()) return;
      list.push(`${r.offset}:${String(r.value)}`);
    }
    this.byPartition.set(batch.partition, list);
  };

  of(partition: number): string[] {
    return this.byPartition.get(partition) ?? [];
  }
}

describe.each(KAFKA_CLIENTS)('the Kafka port on %s: reading owned partitions', (client) => {
  const brokers = testBrokers();
  let port: KafkaPort;
  let admin: KafkaAdmin;
  let sender: RecordSender;
  const topic = uniqueName(`source-${client}`);
  const open: RecordSource[] = [];

  /** Sends `count` records to `partition`, values `<tag>-<i>`; returns their offsets. */
  const send = (partition: number, tag: string, count: number) =>
    sender.send(topic, Array.from({ length: count }, (_, i) => ({ partition, key: `k${i}`, value: `${tag}-${i}`, headers: { traceparent: `tp-${tag}-${i}` } })));

  const start = async (from: Array<[number, number]>, received: Received, groupId = uniqueName(`source-${client}-group`)) => {
    const source = await port.source({ topic, from: new Map(from), groupId, handle: received.handle, maxWaitMs: 50 });
    open.push(source);
    return source;
  };

  beforeAll(async () => {
    port = await openKafkaPort(settings(client, brokers));
    admin = port.admin();
    await admin.createTopics([{ topic, partitions: 4, replicationFactor: 1 }]);
    sender = port.sender({ sendTimeoutMs: 10_000 });
    for (const p of [0, 1, 2, 3]) await send(p, `first${p}`, 10);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close().catch(() => undefined)));
    await sender.close();
    await admin.close();
  }, 60_000);

  it('starts each owned partition at the offset given, delivers it in order with key, headers and timestamp, and reads no other partition', async () => {
    const received = new Received();
    const before = Date.now();
    await start([[0, 3], [1, 0], [2, 9]], received);
    await waitFor(() => received.of(0).length === 7 && received.of(1).length === 10 && received.of(2).length === 1, { what: 'records from the given offsets' });
    expect(received.of(0)).toEqual([3, 4, 5, 6, 7, 8, 9].map((i) => `${i}:first0-${i}`));
    expect(received.of(1)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `${i}:first1-${i}`));
    expect(received.of(2)).toEqual(['9:first2-9']);
    const [more] = await send(1, 'more', 1);
    await waitFor(() => received.of(1).length === 11, { what: 'a record sent after the start' });
    const last = received.batches.filter((b) => b.partition === 1).at(-1)?.records.at(-1);
    expect({ offset: last?.offset, key: String(last?.key), traceparent: String(last?.headers.traceparent) }).toEqual({ offset: more, key: 'k0', traceparent: 'tp-more-0' });
    expect(last?.timestamp).toBeGreaterThanOrEqual(before - 5000);
    expect(received.of(3)).toEqual([]);
    expect(received.batches.every((b) => b.topic === topic)).toBe(true);
  }, 60_000);

  it('pause stops that partition only (resume goes on where it stopped); seek delivers again from the offset, nothing fetched before it', async () => {
    const received = new Received();
    const source = await start([[2, 0], [3, 0]], received);
    await waitFor(() => received.of(2).length === 10 && received.of(3).length === 10, { what: 'both partitions read' });
    source.pause(2);
    await send(2, 'paused', 3);
    await send(3, 'live', 3);
    await waitFor(() => received.of(3).length === 13, { what: 'the running partition goes on' });
    // The paused partition's new records are readable (a second reader gets them) but not delivered here.
    const probe = new Received();
    await start([[2, 10]], probe);
    await waitFor(() => probe.of(2).length === 3, { what: 'the paused records exist' });
    expect(received.of(2)).toHaveLength(10);
    source.resume(2);
    await waitFor(() => received.of(2).length === 13, { what: 'resumed' });
    expect(received.of(2).slice(10)).toEqual(['10:paused-0', '11:paused-1', '12:paused-2']);

    source.seek(3, 4);
    await waitFor(() => received.of(3).length === 13 + 9, { what: 'delivered again from the seek' });
    expect(received.of(3).slice(13)).toEqual(['4:first3-4', '5:first3-5', '6:first3-6', '7:first3-7', '8:first3-8', '9:first3-9', '10:live-0', '11:live-1', '12:live-2']);
  }, 60_000);

  it('a seek while a batch is being handled: the rest of that batch is no longer current, and the next batch starts at the offset sought', async () => {
    const received = new Received();
    let sought: { before: boolean; after: boolean } | undefined;
    const opened: { source?: RecordSource } = {};
    const handle = async (batch: SourceBatch): Promise<void> => {
      if (!sought && opened.source) {
        const before = batch.isCurrent();
        opened.source.seek(batch.partition, 2);
        sought = { before, after: batch.isCurrent() };
        return;
      }
      await received.handle(batch);
    };
    opened.source = await port.source({ topic, from: new Map([[0, 0]]), groupId: uniqueName(`source-${client}-seek`), handle, maxWaitMs: 50 });
    open.push(opened.source);
    await waitFor(() => received.of(0).length >= 8, { what: 'the records from the offset sought' });
    expect(sought).toEqual({ before: true, after: false });
    expect(received.of(0)).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map((i) => `${i}:first0-${i}`));
  }, 60_000);

  it('mirrors committed offsets into the group, where lag tools read them; close ends delivery', async () => {
    const groupId = uniqueName(`source-${client}-mirror`);
    const received = new Received();
    const source = await start([[0, 0], [1, 0]], received, groupId);
    await waitFor(() => received.of(0).length >= 10 && received.of(1).length >= 11, { what: 'read' });
    source.mirrorCommitted(0, 7);
    source.mirrorCommitted(1, 4);
    source.mirrorCommitted(1, 11); // the latest wins
    const kafkaAdmin = testKafka(`source-${client}-lag`, brokers).admin();
    await kafkaAdmin.connect();
    try {
      const groupOffsets = async () => new Map((await kafkaAdmin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.map((p) => [p.partition, Number(p.offset)]));
      await waitFor(async () => {
        const offsets = await groupOffsets();
        return offsets.get(0) === 7 && offsets.get(1) === 11;
      }, { what: 'group offsets 0:7 and 1:11' });

      const deliveredBefore = received.batches.length;
      await source.close();
      await send(0, 'after-close', 2);
      const probe = new Received();
      await start([[0, 0]], probe);
      await waitFor(() => probe.of(0).some((r) => r.endsWith('after-close-1')), { what: 'the records sent after close exist' });
      expect(received.batches.length).toBe(deliveredBefore);
      expect(received.of(0).some((r) => r.includes('after-close'))).toBe(false);
    } finally {
      await kafkaAdmin.disconnect();
    }
  }, 60_000);
  it('a position below the log start (records deleted or expired) moves to the log start: the reader sees where the records resume', async () => {
    const trimmed = uniqueName(`source-${client}-trimmed`);
    await admin.createTopics([{ topic: trimmed, partitions: 1, replicationFactor: 1 }]);
    await sender.send(trimmed, Array.from({ length: 10 }, (_, i) => ({ partition: 0, key: `k${i}`, value: `t-${i}` })));
    const kafkaAdmin = testKafka(`source-${client}-trim`, brokers).admin();
    await kafkaAdmin.connect();
    try {
      await kafkaAdmin.fetchTopicMetadata({ topics: [trimmed] }); // kafkajs deletes records only of topics it has metadata for
      await kafkaAdmin.deleteTopicRecords({ topic: trimmed, partitions: [{ partition: 0, offset: '7' }] });
    } finally {
      await kafkaAdmin.disconnect();
    }
    const received = new Received();
    const source = await port.source({ topic: trimmed, from: new Map([[0, 2]]), groupId: uniqueName(`source-${client}-trim-group`), handle: received.handle, maxWaitMs: 50 });
    open.push(source);
    await waitFor(() => received.of(0).length >= 3, { timeoutMs: 20_000, what: 'the records from the log start' });
    expect(received.of(0)).toEqual(['7:t-7', '8:t-8', '9:t-9']);
  }, 60_000);

  it('records that come while a batch is being handled follow it, in order and once; a pause or a seek meanwhile drops whatever was read ahead', async () => {
    const own = uniqueName(`source-${client}-ahead`);
    await admin.createTopics([{ topic: own, partitions: 1, replicationFactor: 1 }]);
    const put = (tag: string, count: number) => sender.send(own, Array.from({ length: count }, (_, i) => ({ partition: 0, key: `k${i}`, value: `${tag}-${i}` })));
    const delivered: string[] = [];
    const held: { release?: () => void; next: boolean } = { next: true };
    const handle = async (batch: SourceBatch): Promise<void> => {
      if (held.next) {
        held.next = false;
        await new Promise<void>((resolve) => (held.release = resolve));
      }
      for (const r of batch.records) {
        if (!batch.isCurrent()) return;
        delivered.push(`${r.offset}:${String(r.value)}`);
      }
    };
    /** Holds the next batch; `more` records are sent while it is held, and given time to be read ahead. */
    const holdWhile = async (tag: string, more: () => Promise<unknown>) => {
      held.next = true;
      held.release = undefined;
      await put(tag, 2);
      await waitFor(() => held.release !== undefined, { what: `the batch of ${tag} held` });
      await more();
      await sleep(500);
    };
    await put('a', 2);
    const source = await port.source({ topic: own, from: new Map([[0, 0]]), groupId: uniqueName(`source-${client}-ahead-group`), handle, maxWaitMs: 50 });
    open.push(source);

    await waitFor(() => held.release !== undefined, { what: 'the first batch held' });
    await put('b', 2);
    await sleep(500);
    held.release?.();
    await waitFor(() => delivered.length >= 4, { what: 'the records sent while the first batch was held' });
    await sleep(300);
    expect(delivered).toEqual(['0:a-0', '1:a-1', '2:b-0', '3:b-1']);

    // Paused while a batch is held: what came meanwhile is not delivered until resume, then once, after it.
    await holdWhile('c', () => put('d', 2));
    source.pause(0);
    held.release?.();
    await sleep(500);
    expect(delivered.slice(4)).toEqual(['4:c-0', '5:c-1']);
    source.resume(0);
    await waitFor(() => delivered.length >= 8, { what: 'resumed' });
    await sleep(300);
    expect(delivered.slice(4)).toEqual(['4:c-0', '5:c-1', '6:d-0', '7:d-1']);

    // Sought while a batch is held: the held batch is no longer current, and the next starts at the offset sought.
    await holdWhile('e', () => put('f', 1));
    source.seek(0, 7);
    held.release?.();
    await waitFor(() => delivered.length >= 12, { what: 'delivered again from the seek' });
    await sleep(300);
    expect(delivered.slice(8)).toEqual(['7:d-1', '8:e-0', '9:e-1', '10:f-0']);
  }, 60_000);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
