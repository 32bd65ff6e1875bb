import { encodeEventRecord, encodeParkedControl, EventsRepository, ParkedRepository, awaitPartitionCount, type FlushBatch, type FlushResult, FlushWriter, KAFKA_CLIENTS, type KafkaAdmin, type KafkaClientName, type KafkaPort, openKafkaPort, type OplogKey, OplogRepository, type RecordSender, type SourceRecord } from '@async2/data-access';
import { type EntityRecord, partitionForKey, type StampedEvent } from '@async2/domain';
import { createTestDatabase, createTestTopic, migratedDataSource, type TestDatabase, testBrokers, testKafka, uniqueName, waitFor } from '@async2/testing';
import type { Logger } from '@nestjs/common';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { loadConsumerConfig } from '../config/consumer.config';
import { FailPoints } from '../faults/fail-point';
import { DeadLetterPublisher } from '../flush/dead-letter.publisher';
import { FreshReadService } from '../fresh-read/fresh-read.service';
import { claimPartitions } from '../ownership/partition-claims';
import type { PartitionConsumer } from '../partition-consumer.service';
import type { LaneDependencies, PartitionLane } from './partition-lane';

// Real Kafka and PostgreSQL: records produced to a partition, folded by its lane, flushed in one
// transaction; poison goes to the DLQ and the offset moves on; an event the fold refuses parks its
// ID in the same transaction, and an operator's control record releases it; a fenced lane writes nothing.
// Once per Kafka client: the lane is given records as that client's source reads them, and its
// dead letters go out through that client's sender.

let db: TestDatabase;
let dataSource: DataSource;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let dlqSender: RecordSender;
let port: KafkaPort;
/** The cluster questions the consumer asks, through the port. */
let portAdmin: KafkaAdmin;
let topic: string;
let dlq: string;
let dropTopic: () => Promise<void>;
let events: EventsRepository;
let key: OplogKey;

function laneSuites(client: KafkaClientName): void {
beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await migratedDataSource(db.url);
  events = new EventsRepository(dataSource);
  kafka = testKafka('partition-lane-test');
  admin = kafka.admin();
  await admin.connect();
  ({ topic, dlq, drop: dropTopic } = await createTestTopic(admin, 2));
  key = { consumerGroup: uniqueName('group'), topic };
  producer = kafka.producer({ allowAutoTopicCreation: false });
  port = await openKafkaPort({ client, brokers: testBrokers(), clientId: 'partition-lane-dlq', ssl: false });
  dlqSender = port.sender({ sendTimeoutMs: 30_000 });
  portAdmin = port.admin();
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await dlqSender?.close();
  await portAdmin?.close();
  await dropTopic?.();
  await admin?.disconnect();
  await dataSource?.destroy();
  await db?.drop();
}, 30_000);

const logger = () => ({ log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() });

/** A lane for `partition`, claimed in OPLOG as `instanceId`, wired the way the consumer wires it. */
async function claimLane(partition: number, instanceId: string, log = logger(), writer = new FlushWriter(dataSource), env: Record<string, string> = {}, rows = events): Promise<PartitionLane> {
  const config = loadConsumerConfig(
    { KAFKA_BROKERS: process.env.KAFKA_BROKERS, KAFKA_TOPIC: topic, KAFKA_DLQ_TOPIC: dlq, CONSUMER_GROUP: key.consumerGroup, INSTANCE_ID: instanceId, DATABASE_URL: db.url, PARTITIONS: String(partition), ...env },
    'test-host',
  );
  const deps: LaneDependencies = {
    events: rows,
    parked: new ParkedRepository(dataSource),
    writer,
    deadLetters: new DeadLetterPublisher(dlqSender, dlq, topic, await awaitPartitionCount(portAdmin, dlq)),
    failPoints: new FailPoints(undefined),
    key,
    limits: config.limits,
    logger: log as unknown as Logger,
  };
  const lanes = await claimPartitions([partition], config, dataSource, portAdmin, await portAdmin.topicId(topic), deps, log as unknown as Logger);
  const lane = lanes.get(partition);
  if (!lane) throw new Error(`no lane for partition ${partition}`);
  return lane;
}

let clock = 1_700_000_000_000;
const stamped = (e: Omit<StampedEvent, 'ts' | 'src'>): StampedEvent => ({ ...e, ts: clock++, src: 'producer-test' });

/** Produces events (encoded as the producer does) and raw records to one partition, in order. */
async function produce(partition: number, items: Array<StampedEvent | { key: string | Buffer; value: string | Buffer; headers?: Record<string, string> }>): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: items.map((item) => ('value' in item ? { partition, key: item.key, value: item.value, headers: item.headers } : { partition, ...encodeEventRecord(item) })),
  });
}

/** An operator's control record for a parked ID, as the admin endpoint and the CLI write it. */
function control(id: string, action: 'replay' | 'skip-refused' | 'discard', refusedOffset: number): { key: Buffer; value: Buffer; headers: Record<string, string> } {
  return encodeParkedControl({ id, action, refusedOffset, ts: Date.now(), by: 'test' });
}

/** Every record of one partition of `from` (the test's topic or its DLQ), in offset order, as the client's source reads them. */
async function readPartition(from: string, partition: number): Promise<SourceRecord[]> {
  const [{ high }] = (await admin.fetchTopicOffsets(from)).filter((o) => o.partition === partition);
  const records: SourceRecord[] = [];
  if (Number(high) === 0) return records;
  const source = await port.source({ topic: from, from: new Map([[partition, 0]]), groupId: uniqueName('reader'), maxWaitMs: 100, handle: async (batch) => void records.push(...batch.records) });
  try {
    await waitFor(() => records.length >= Number(high), { what: `${from}/${partition} up to offset ${high}` });
  } finally {
    await source.close();
  }
  return records.sort((a, b) => a.offset - b.offset);
}

const header = (m: SourceRecord, name: string) => m.headers[name]?.toString();
const dlqRecord = (m: SourceRecord) => ({
  key: m.key?.toString(),
  value: m.value?.toString(),
  sourceTopic: header(m, 'x-source-topic'),
  sourcePartition: header(m, 'x-source-partition'),
  sourceOffset: header(m, 'x-source-offset'),
  reason: header(m, 'x-dlq-reason'),
});

describe('a partition lane on real records', () => {
  it('folds, flushes the rows and OPLOG offset, dead-letters what cannot be decoded, and parks an ID whose event the fold refuses', async () => {
    const lane = await claimLane(0, 'consumer-a');
    const adaSet = stamped({ id: 'ada', op: 'set', data: { name: 'Ada', n: 1 }, eventId: 'e-1' });
    const adaIncr = stamped({ id: 'ada', op: 'incr', data: { n: 2 } });
    const bobMerge = stamped({ id: 'bob', op: 'merge', data: { a: { b: 1 } } });
    const bigSet = stamped({ id: 'big', op: 'set', data: { n: 9_007_199_254_740_000 } });
    const bigOverflow = stamped({ id: 'big', op: 'incr', data: { n: 1000 } }); // valid alone; the sum is past 2^53
    const adaRetry = stamped({ id: 'ada', op: 'set', data: { name: 'retried' }, eventId: 'e-1' });
    const bobDelete = stamped({ id: 'bob', op: 'delete' });
    const bigIncr = stamped({ id: 'big', op: 'incr', data: { n: 991 } });
    await produce(0, [adaSet, adaIncr, { key: 'ada', value: 'not json' }, bobMerge, bigSet, bigOverflow, adaRetry, bobDelete, bigIncr]);

    const messages = await readPartition(topic, 0);
    expect(messages.map((m) => lane.fold(m))).toEqual(Array(9).fill('folded'));
    await expect(lane.flush()).resolves.toBe('committed');

    expect(await events.findRecords(['ada', 'bob', 'big'])).toEqual(
      new Map<string, EntityRecord>([
        ['ada', { id: 'ada', state: { name: 'Ada', n: 3 }, deleted: false, version: 2, partition: 0, lastOffset: 1, eventTs: adaIncr.ts, recentEventIds: ['e-1'] }],
        ['bob', { id: 'bob', state: null, deleted: true, version: 2, partition: 0, lastOffset: 7, eventTs: bobDelete.ts, recentEventIds: [] }],
        // Parked at the refused incr (5): its later event (8) waits with it instead of applying on a state missing the refused one.
        ['big', { id: 'big', state: { n: 9_007_199_254_740_000 }, deleted: false, version: 1, partition: 0, lastOffset: 4, eventTs: bigSet.ts, recentEventIds: [] }],
      ]),
    );
    const parked = new ParkedRepository(dataSource);
    expect(await parked.find(key, 'big')).toEqual({
      id: 'big', partition: 0, reason: expect.stringMatching(/incr of "n" leaves the safe number range/), refusedOffset: 5, parkedAt: new Date(bigOverflow.ts), events: 2,
      kept: [{ offset: 5, event: JSON.parse(JSON.stringify(bigOverflow)) }, { offset: 8, event: JSON.parse(JSON.stringify(bigIncr)) }],
    });
    expect((await new OplogRepository(dataSource).nextOffsets(key)).get(0)).toBe(9);

    const dead = (await readPartition(dlq, 0)).map(dlqRecord).sort((a, b) => Number(a.sourceOffset) - Number(b.sourceOffset));
    expect(dead).toEqual([
      { key: 'ada', value: 'not json', sourceTopic: topic, sourcePartition: '0', sourceOffset: '2', reason: expect.stringMatching(/not UTF-8 JSON/) },
    ]);

    // The same lane, now holding the rows in memory: the offset keeps moving; the parked ID keeps its events.
    const bigOverflowAgain = stamped({ id: 'big', op: 'incr', data: { n: 1 } });
    const adaMerge = stamped({ id: 'ada', op: 'merge', data: { n: null, city: 'London' } });
    await produce(0, [bigOverflowAgain, { key: 'bob', value: '{"v":1,"id":"bob","op":"explode","ts":1,"src":"x"}' }, adaMerge]);
    const more = (await readPartition(topic, 0)).slice(9);
    expect(more.map((m) => lane.fold(m))).toEqual(['folded', 'folded', 'folded']);
    await expect(lane.flush()).resolves.toBe('committed');

    expect((await events.findRecords(['ada'])).get('ada')).toMatchObject({ state: { name: 'Ada', city: 'London' }, version: 3, lastOffset: 11 });
    expect((await events.findRecords(['big'])).get('big')).toMatchObject({ state: { n: 9_007_199_254_740_000 }, version: 1, lastOffset: 4 });
    expect((await new OplogRepository(dataSource).nextOffsets(key)).get(0)).toBe(12);
    expect((await parked.find(key, 'big'))?.kept.map((k) => k.offset)).toEqual([5, 8, 9]);
    const deadNow = (await readPartition(dlq, 0)).map(dlqRecord);
    expect(deadNow.slice(1)).toEqual([
      { key: 'bob', value: '{"v":1,"id":"bob","op":"explode","ts":1,"src":"x"}', sourceTopic: topic, sourcePartition: '0', sourceOffset: '10', reason: expect.stringMatching(/invalid event/) },
    ]);
  });

  it("an operator's control record, folded in order by the next owner, releases the parked ID under the fence: refused again it parks again; discarded it flows on", async () => {
    const parked = new ParkedRepository(dataSource);
    const zombie = await claimLane(0, 'consumer-z');
    const lane = await claimLane(0, 'consumer-c'); // loads the parked IDs at its claim; fences the zombie
    expect(lane.buffer.parked.ids()).toEqual(['big']);
    const start = lane.buffer.nextOffset;
    const bigLater = stamped({ id: 'big', op: 'incr', data: { n: -5 } });
    // skip-refused: 5 is dropped, 8 (+991) reaches 2^53-1, 9 (+1) is refused again and parks big again, with 13 behind it.
    await produce(0, [control('big', 'skip-refused', 5), bigLater, control('nobody', 'replay', 0), { key: 'big', value: '{"v":1}', headers: { 'x-async2-control': 'parked-v1' } }]);
    const fresh = (await readPartition(topic, 0)).filter((m) => m.offset >= start);
    for (const m of fresh) zombie.fold(m);
    await expect(zombie.flush()).resolves.toBe('fenced');
    expect((await parked.find(key, 'big'))?.kept.map((k) => k.offset)).toEqual([5, 8, 9]);

    expect(fresh.map((m) => lane.fold(m))).toEqual(['folded', 'folded', 'folded', 'folded']);
    await expect(lane.flush()).resolves.toBe('committed');
    expect((await events.findRecords(['big'])).get('big')).toMatchObject({ state: { n: Number.MAX_SAFE_INTEGER }, version: 2, lastOffset: 8 });
    expect(await parked.find(key, 'big')).toMatchObject({ refusedOffset: 9, events: 2, kept: [{ offset: 9 }, { offset: start + 1 }] });
    expect((await parked.load(key, 0)).map((p) => [p.id, p.refusedOffset, p.events.map((e) => e.offset)])).toEqual([['big', 9, [9, start + 1]]]); // in offset order, as the next claim loads it
    const [letter] = (await readPartition(dlq, 0)).slice(-1).map(dlqRecord);
    expect(letter).toMatchObject({ key: 'big', sourceOffset: String(start + 3), reason: 'control record id must be a non-empty string' });

    // A request for the earlier parking (at 5) is stale: nothing happens. discard: nothing of big's kept
    // events applies; big is no longer parked, and its next event applies.
    await produce(0, [control('big', 'discard', 5), control('big', 'discard', 9), stamped({ id: 'big', op: 'incr', data: { n: -1 } })]);
    for (const m of (await readPartition(topic, 0)).filter((m) => m.offset >= start + 4)) lane.fold(m);
    await expect(lane.flush()).resolves.toBe('committed');
    expect((await events.findRecords(['big'])).get('big')).toMatchObject({ state: { n: Number.MAX_SAFE_INTEGER - 1 }, version: 3, lastOffset: start + 6 });
    expect(await parked.list(key, 0)).toEqual([]);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM parked_events')).toEqual([{ n: 0 }]);
  });

  it('with PARKED_MAX_HELD_EVENTS=0 holds no committed parked event in memory: the release loads them back from the store, and applies them in order', async () => {
    const parked = new ParkedRepository(dataSource);
    const lane = await claimLane(0, 'consumer-spill', logger(), new FlushWriter(dataSource), { PARKED_MAX_HELD_EVENTS: '0' });
    const start = lane.buffer.nextOffset;
    const set = stamped({ id: 'spilt', op: 'set', data: { n: Number.MAX_SAFE_INTEGER - 10 } });
    const overflow = stamped({ id: 'spilt', op: 'incr', data: { n: 100 } });
    const later = stamped({ id: 'spilt', op: 'incr', data: { n: 4 } });
    const last = stamped({ id: 'spilt', op: 'merge', data: { tag: 'a' } });
    await produce(0, [set, overflow, later]);
    for (const m of (await readPartition(topic, 0)).filter((m) => m.offset >= start)) lane.fold(m);
    await expect(lane.flush()).resolves.toBe('committed');
    // Committed, so dropped from memory: the store holds both, the lane only the header.
    expect(lane.buffer.parked.get('spilt')).toMatchObject({ refusedOffset: start + 1, events: [], spilled: 2 });
    expect((await parked.find(key, 'spilt'))?.kept.map((k) => k.offset)).toEqual([start + 1, start + 2]);

    // One more event, held (not committed), then the operator drops the refused one: the release waits for the stored two.
    await produce(0, [last, control('spilt', 'skip-refused', start + 1)]);
    const fresh = (await readPartition(topic, 0)).filter((m) => m.offset >= start + 3);
    expect(fresh.map((m) => lane.fold(m))).toEqual(['folded', 'folded']);
    expect(lane.buffer.parked.get('spilt')).toMatchObject({ events: [{ offset: start + 3 }], spilled: 2 });
    await expect(lane.flush()).resolves.toBe('committed');
    expect((await events.findRecords(['spilt'])).get('spilt')).toMatchObject({ state: { n: Number.MAX_SAFE_INTEGER - 6, tag: 'a' }, version: 3, lastOffset: start + 3 });
    expect(lane.buffer.parked.count).toBe(0);
    expect(await parked.list(key, 0)).toEqual([]);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM parked_events')).toEqual([{ n: 0 }]);
  });
});

describe('two lanes claiming the same partition', () => {
  it('fences the older owner: its flush writes nothing, the new owner resumes from the last commit', async () => {
    const logA = logger();
    const laneA = await claimLane(1, 'consumer-a', logA);
    expect(laneA.epoch).toBe(1);
    const counter = (n: number) => stamped({ id: 'counter', op: 'incr', data: { n } });
    await produce(1, [stamped({ id: 'counter', op: 'set', data: { n: 0 } }), counter(1), counter(1)]);
    for (const m of await readPartition(topic, 1)) laneA.fold(m);
    await expect(laneA.flush()).resolves.toBe('committed');

    // A folds two more, then B claims the partition before A flushes them.
    await produce(1, [counter(10), counter(100)]);
    const all = await readPartition(topic, 1);
    for (const m of all.slice(3)) laneA.fold(m);
    const laneB = await claimLane(1, 'consumer-b');
    expect(laneB.epoch).toBe(2);
    expect(laneB.buffer.nextOffset).toBe(3);

    await expect(laneA.flush()).resolves.toBe('fenced');
    expect(laneA.fenced).toBe(true);
    expect(logA.error).toHaveBeenCalledWith(expect.stringMatching(/partition 1: fenced/));
    expect((await events.findRecords(['counter'])).get('counter')).toMatchObject({ state: { n: 2 }, version: 3, lastOffset: 2 });
    const [oplogRow] = await dataSource.query('SELECT next_offset::int AS "nextOffset", epoch::int AS epoch, owner FROM oplog WHERE consumer_group = $1 AND partition = 1', [key.consumerGroup]);
    expect(oplogRow).toEqual({ nextOffset: 3, epoch: 2, owner: 'consumer-b' });

    // B is given the whole partition again (as a refetch would): what A committed is not applied twice.
    expect(all.map((m) => laneB.fold(m))).toEqual(['already-applied', 'already-applied', 'already-applied', 'folded', 'folded']);
    await expect(laneB.flush()).resolves.toBe('committed');
    expect((await events.findRecords(['counter'])).get('counter')).toMatchObject({ state: { n: 112 }, version: 5, lastOffset: 4 });
    expect((await new OplogRepository(dataSource).nextOffsets(key)).get(1)).toBe(5);

    // The zombie stays fenced.
    await expect(laneA.flush()).resolves.toBe('fenced');
    expect((await events.findRecords(['counter'])).get('counter')).toMatchObject({ state: { n: 112 }, version: 5 });
  });
});

describe('record copies (a Kafka client stored the same record twice)', () => {
  it('applies an anonymous incr once, also when the copy arrives after a takeover', async () => {
    const laneA = await claimLane(0, 'consumer-copies-a');
    const start = laneA.buffer.nextOffset;
    const identity = (seq: number, n: number) => ({ ...stamped({ id: 'copied', op: 'incr', data: { n } }), src: 'producer-x~0001', seq });
    const [one, two, four, eight] = [identity(0, 1), identity(1, 2), identity(2, 4), identity(3, 8)];
    // As at a leader election: the batch [one, two] stored again after itself.
    await produce(0, [one, two, one, two, four]);
    const first = (await readPartition(topic, 0)).filter((m) => m.offset >= start);
    expect(first.map((m) => laneA.fold(m))).toEqual(Array(5).fill('folded'));
    await expect(laneA.flush()).resolves.toBe('committed');
    expect((await events.findRecords(['copied'])).get('copied')).toMatchObject({ state: { n: 7 }, version: 3, lastOffset: start + 4 });
    const marks = () => dataSource.query('SELECT src, last_seq::int AS seq FROM producer_marks WHERE consumer_group = $1 AND topic = $2 AND partition = 0', [key.consumerGroup, topic]);
    expect(await marks()).toEqual([{ src: 'producer-x~0001', seq: 2 }]);

    // A copy of `four` lands after the commit; a new owner takes over and must refuse it from the committed marks.
    await produce(0, [four, eight]);
    const laneB = await claimLane(0, 'consumer-copies-b');
    const rest = (await readPartition(topic, 0)).filter((m) => m.offset >= laneB.buffer.nextOffset);
    expect(rest.map((m) => laneB.fold(m))).toEqual(['folded', 'folded']);
    await expect(laneB.flush()).resolves.toBe('committed');
    expect((await events.findRecords(['copied'])).get('copied')).toMatchObject({ state: { n: 15 }, version: 4, lastOffset: start + 6 });
    expect(laneB.buffer.copiesRefused).toBe(1);
    expect(await marks()).toEqual([{ src: 'producer-x~0001', seq: 3 }]);

    // The fenced owner's flush writes no marks either.
    await produce(0, [identity(4, 16)]);
    const late = (await readPartition(topic, 0)).filter((m) => m.offset >= laneA.buffer.nextOffset);
    late.forEach((m) => laneA.fold(m));
    await expect(laneA.flush()).resolves.toBe('fenced');
    expect(await marks()).toEqual([{ src: 'producer-x~0001', seq: 3 }]);
  });
});

/** The real writer, but each commit waits until the test lets it go, and can be made to fail instead. */
class HeldWriter extends FlushWriter {
  readonly batches: FlushBatch[] = [];
  private release: () => void = () => undefined;
  private held = Promise.resolve();
  failNext = false;

  hold(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  letGo(): void {
    this.release();
  }

  override async commit(batch: FlushBatch): Promise<FlushResult> {
    this.batches.push(batch);
    await this.held;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('connection terminated (test)');
    }
    return super.commit(batch);
  }
}

describe('folding while a flush is in flight', () => {
  it('folds go on during the flush; a failed flush leaves its IDs dirty; a committed one cleans only what its plan held', async () => {
    const writer = new HeldWriter(dataSource);
    const lane = await claimLane(0, 'consumer-inflight', logger(), writer);
    // Catch up with what earlier tests left uncommitted on this partition.
    for (const m of (await readPartition(topic, 0)).filter((r) => r.offset >= lane.buffer.nextOffset)) lane.fold(m);
    await lane.flush();
    writer.batches.length = 0;
    const start = lane.buffer.nextOffset;
    const ids = ['if-a', 'if-b', 'if-c'];
    const [a, b, c] = ids;
    const oplog = async () => (await new OplogRepository(dataSource).nextOffsets(key)).get(0);
    const rows = async () => Object.fromEntries([...(await events.findRecords(ids))].map(([id, r]) => [id, { state: r.state, version: r.version }]));
    await produce(0, [stamped({ id: a, op: 'set', data: { n: 1 } }), stamped({ id: b, op: 'set', data: { v: 1 } }), stamped({ id: a, op: 'incr', data: { n: 10 } }), stamped({ id: c, op: 'set', data: { v: 1 } })]);
    const records = (await readPartition(topic, 0)).filter((m) => m.offset >= start);

    // The first flush takes its plan and waits on the wire; the fold goes on meanwhile.
    expect(records.slice(0, 2).map((m) => lane.fold(m))).toEqual(['folded', 'folded']);
    writer.hold();
    const failing = lane.flush();
    await waitFor(() => writer.batches.length === 1, { what: 'the first flush at its commit' });
    expect(lane.flushing).toBe(true);
    expect(records.slice(2).map((m) => lane.fold(m))).toEqual(['folded', 'folded']);
    expect(lane.buffer.nextOffset).toBe(start + 4);
    expect(writer.batches[0]).toMatchObject({ nextOffset: start + 2, records: [expect.objectContaining({ id: a, state: { n: 1 }, version: 1 }), expect.objectContaining({ id: b })] });

    // Its COMMIT fails: nothing is written, and nothing it took is marked clean.
    writer.failNext = true;
    writer.letGo();
    await expect(failing).rejects.toThrow(/connection terminated/);
    expect(await rows()).toEqual({});
    expect(await oplog()).toBe(start);
    expect(lane.buffer).toMatchObject({ committedOffset: start, uncommittedEvents: 4, uncommittedIds: 3 });

    // The next flush writes them again with the newer folds on top.
    await expect(lane.flush()).resolves.toBe('committed');
    expect(writer.batches[1].nextOffset).toBe(start + 4);
    expect(await rows()).toEqual({ [a]: { state: { n: 11 }, version: 2 }, [b]: { state: { v: 1 }, version: 1 }, [c]: { state: { v: 1 }, version: 1 } });
    expect(await oplog()).toBe(start + 4);

    // A flush that commits while a fold changed one of its IDs: that ID stays dirty for the next one.
    await produce(0, [stamped({ id: a, op: 'incr', data: { n: 100 } }), stamped({ id: a, op: 'incr', data: { n: 1000 } })]);
    const more = (await readPartition(topic, 0)).filter((m) => m.offset >= start + 4);
    lane.fold(more[0]);
    writer.hold();
    const committing = lane.flush();
    const queued = lane.flush(); // one flush in flight: this one waits, then writes what was folded since
    await waitFor(() => writer.batches.length === 3, { what: 'the third flush at its commit' });
    lane.fold(more[1]);
    writer.letGo();
    await expect(committing).resolves.toBe('committed');
    await expect(queued).resolves.toBe('committed');
    expect(writer.batches.slice(2).map((batch) => [batch.nextOffset, batch.records.map((r) => r.state)])).toEqual([
      [start + 5, [{ n: 111 }]],
      [start + 6, [{ n: 1111 }]],
    ]);
    expect(await rows()).toMatchObject({ [a]: { state: { n: 1111 }, version: 4 } });
    expect(await oplog()).toBe(start + 6);
    expect(lane.buffer).toMatchObject({ committedOffset: start + 6, uncommittedEvents: 0, uncommittedIds: 0, hasUncommitted: false });
    expect(lane.flushing).toBe(false);
  });
});

describe('loading the rows of IDs not held beside the fold', () => {
  it("the fold's load applies waiting events onto their stored rows before the flush; a flush during it waits for it and looks up only the IDs it did not take; a failed load is the flush's to redo", async () => {
    const first = await claimLane(0, 'consumer-rows-a');
    for (const m of (await readPartition(topic, 0)).filter((r) => r.offset >= first.buffer.nextOffset)) first.fold(m);
    const [x, y, z, w, v] = ['rows-x', 'rows-y', 'rows-z', 'rows-w', 'rows-v'];
    let start = first.buffer.nextOffset;
    await produce(0, [stamped({ id: x, op: 'set', data: { n: 1 } }), stamped({ id: y, op: 'set', data: { n: 2 } })]);
    for (const m of (await readPartition(topic, 0)).filter((r) => r.offset >= start)) first.fold(m);
    await expect(first.flush()).resolves.toBe('committed');

    // The next owner holds nothing: its events for x and y wait for their rows.
    const lookups: string[][] = [];
    let held: Promise<void> | undefined;
    let release: () => void = () => undefined;
    let failNext = false;
    const rows = new EventsRepository(dataSource);
    rows.findRecords = async (ids) => {
      lookups.push([...ids].sort());
      if (held) await held;
      if (failNext) {
        failNext = false;
        throw new Error('connection terminated');
      }
      return events.findRecords(ids);
    };
    const lane = await claimLane(0, 'consumer-rows-b', logger(), new FlushWriter(dataSource), {}, rows);
    start = lane.buffer.nextOffset;
    await produce(0, [stamped({ id: x, op: 'incr', data: { n: 10 } }), stamped({ id: y, op: 'incr', data: { n: 20 } }), stamped({ id: z, op: 'set', data: { n: 5 } }), stamped({ id: w, op: 'set', data: { n: 7 } }), stamped({ id: v, op: 'set', data: { n: 3 } })]);
    const [forX, forY, forZ, forW, forV] = (await readPartition(topic, 0)).filter((m) => m.offset >= start);

    // The load of x's row is on the wire while y and z are folded: a second call starts nothing.
    lane.fold(forX);
    held = new Promise<void>((resolve) => (release = resolve));
    lane.loadWaitingRows();
    await waitFor(() => lookups.length === 1, { what: "the fold's load of x's row" });
    lane.loadWaitingRows();
    lane.fold(forY);
    lane.fold(forZ);
    expect(lane.buffer.pendingIds().sort()).toEqual([x, y, z]);
    // The flush waits for that load, then looks up only y and z.
    const flushed = lane.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lookups).toEqual([[x]]);
    held = undefined;
    release();
    await expect(flushed).resolves.toBe('committed');
    expect(lookups).toEqual([[x], [y, z]]);
    const stored = async (ids: string[]) => Object.fromEntries([...(await events.findRecords(ids))].map(([id, r]) => [id, { state: r.state, version: r.version }]));
    expect(await stored([x, y, z])).toEqual({ [x]: { state: { n: 11 }, version: 2 }, [y]: { state: { n: 22 }, version: 2 }, [z]: { state: { n: 5 }, version: 1 } });

    // Loaded before the flush: the flush looks nothing up.
    lane.fold(forW);
    lane.loadWaitingRows();
    await waitFor(() => lane.buffer.pendingIds().length === 0, { what: "the fold's load of w's row" });
    expect(lane.buffer.peek(w)).toMatchObject({ state: { n: 7 }, version: 1 });
    await expect(lane.flush()).resolves.toBe('committed');
    expect(lookups).toEqual([[x], [y, z], [w]]);

    // A failed load leaves the events waiting; the flush loads them again and commits.
    lane.fold(forV);
    failNext = true;
    lane.loadWaitingRows();
    await waitFor(() => lookups.length === 4, { what: "the fold's load of v's row" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lane.buffer.pendingIds()).toEqual([v]);
    await expect(lane.flush()).resolves.toBe('committed');
    expect(lookups.slice(3)).toEqual([[v], [v]]);
    expect(await stored([v, w])).toEqual({ [v]: { state: { n: 3 }, version: 1 }, [w]: { state: { n: 7 }, version: 1 } });
  });
});

describe('a fresh read while a flush is in flight', () => {
  it('a read that loaded a row while the flush took the ID looks again: it answers the folded state, never the older row', async () => {
    const writer = new HeldWriter(dataSource);
    const lane = await claimLane(0, 'consumer-fresh', logger(), writer);
    for (const m of (await readPartition(topic, 0)).filter((r) => r.offset >= lane.buffer.nextOffset)) lane.fold(m);
    await lane.flush();
    const id = Array.from({ length: 100 }, (_, i) => `fresh-${i}`).find((candidate) => partitionForKey(candidate, 2) === 0) as string;
    const start = lane.buffer.nextOffset;
    await produce(0, [stamped({ id, op: 'incr', data: { n: 1 } })]);
    const [record] = (await readPartition(topic, 0)).filter((m) => m.offset >= start);
    lane.fold(record);
    expect(lane.buffer.pendingEvents(id)).toHaveLength(1); // not held: the read goes to EVENTS

    const config = loadConsumerConfig({ KAFKA_BROKERS: process.env.KAFKA_BROKERS, KAFKA_TOPIC: topic, CONSUMER_GROUP: key.consumerGroup, DATABASE_URL: db.url, PARTITIONS: '0' }, 'test-host');
    const owner = { ownership: () => ({ partitionCount: 2, owned: [0] }), laneFor: (p: number) => (p === 0 ? lane : undefined), oplogKey: () => key };
    const reads = new FreshReadService(owner as unknown as PartitionConsumer, config, dataSource);
    // Not held, no lookup beside the fold yet: the answer is the ID's row in EVENTS (none) with its
    // waiting events applied on a copy, and the read leaves the ID waiting.
    await expect(reads.read({ id, waitMs: 10_000 })).resolves.toMatchObject({ from: 'memory+events', foldedUpTo: start + 1, entity: { id, state: { n: 1 }, version: 1 } });
    expect(lane.buffer.pendingEvents(id)).toHaveLength(1);
    // The read decided the ID is not held, but its lookup reaches EVENTS only after the flush took the
    // ID and committed it: applying the waiting incr onto that row would count it twice.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let looked = 0;
    Object.assign(reads, { events: { findRecords: async (ids: string[]) => {
      if (looked++ === 0) await held;
      return events.findRecords(ids);
    } } });
    const answer = reads.read({ id, waitMs: 10_000 });
    await waitFor(() => looked === 1, { what: 'the read to start loading the row' });
    await expect(lane.flush()).resolves.toBe('committed');
    expect(lane.buffer.pendingEvents(id)).toHaveLength(0);
    release();
    await expect(answer).resolves.toMatchObject({ from: 'memory', foldedUpTo: start + 1, committedUpTo: start + 1, entity: { id, state: { n: 1 }, version: 1 } });
  });
});

}

describe.each(KAFKA_CLIENTS)('with the %s client', (client) => laneSuites(client));

