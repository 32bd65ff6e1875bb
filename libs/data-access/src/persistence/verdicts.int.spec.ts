import { PartitionBuffer, type StampedEvent, type VerdictEntry } from '@async2/domain';
import { createTestDatabase, migratedDataSource, type TestDatabase, uniqueName } from '@async2/testing';
import type { DataSource } from 'typeorm';
import { FlushWriter } from './flush-writer';
import { type OplogKey, OplogRepository } from './oplog.repository';
import { VerdictsRepository } from './verdicts.repository';

// Real PostgreSQL: the verdicts of conditional events are written by the flush transaction, under
// the epoch fence, with the offset they were decided at: all or nothing, never by a zombie.

let db: TestDatabase;
let dataSource: DataSource;
let oplog: OplogRepository;
let verdicts: VerdictsRepository;
const topic = uniqueName('events-verdicts');
const NOW = Date.now();

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await migratedDataSource(db.url);
  oplog = new OplogRepository(dataSource);
  verdicts = new VerdictsRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

let key: OplogKey;
beforeEach(() => {
  key = { consumerGroup: uniqueName('group'), topic };
});

const event = (seq: number, condition: StampedEvent['condition'], data = { n: seq }): StampedEvent => ({ id: 'acct-1', op: 'set', data, ts: NOW, src: 'producer-a', seq, condition });

/** Folds `events` from offset 0 onto no stored rows and returns the plan a flush would write. */
function planOf(events: StampedEvent[]) {
  const buffer = new PartitionBuffer({ partition: 0, nextOffset: 0, dedupeWindow: 4, maxCachedIds: 100 });
  events.forEach((e, offset) => buffer.fold(e, offset));
  buffer.resolvePending(new Map());
  return buffer.flushPlan();
}

const stored = (offset: number) => verdicts.find(key, 0, offset);

describe('verdicts in the flush transaction', () => {
  it('commits each verdict with the offset and the state it was decided with', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    // Two writers both read version 1 and write with if {version: 1}: the first in Kafka order wins.
    const plan = planOf([event(1, { absent: true }), event(2, { version: 1 }), event(3, { version: 1 }), event(4, undefined)]);
    const writer = new FlushWriter(dataSource);
    await expect(writer.commit({ key, partition: 0, epoch, nextOffset: plan.nextOffset, records: plan.records, producerMarks: plan.producerMarks, verdicts: plan.verdicts })).resolves.toMatchObject({ kind: 'committed' });

    expect(await stored(0)).toEqual({ verdict: { outcome: 'applied', seenVersion: 0 } });
    expect(await stored(1)).toEqual({ verdict: { outcome: 'applied', seenVersion: 1 } });
    expect(await stored(2)).toEqual({ verdict: { outcome: 'rejected', seenVersion: 2, reason: 'condition' } });
    expect(await stored(3)).toBeUndefined(); // unconditional: no verdict stored
    const [row] = await dataSource.query('SELECT version::int AS version, state FROM events WHERE id = $1', ['acct-1']);
    expect(row).toEqual({ version: 3, state: { n: 4 } }); // the rejected write changed nothing
  });

  it('writes nothing when the transaction fails before COMMIT: the replay decides again from the same state', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const plan = planOf([event(1, { absent: true })]);
    const crashing = new FlushWriter(dataSource, { beforeCommit: () => Promise.reject(new Error('killed before COMMIT')) });
    const batch = { key, partition: 0, epoch, nextOffset: plan.nextOffset, records: plan.records, verdicts: plan.verdicts };
    await expect(crashing.commit(batch)).rejects.toThrow('killed before COMMIT');
    expect(await stored(0)).toBeUndefined();
    expect((await oplog.rows(key)).find((r) => r.partition === 0)?.nextOffset).toBe(0);
    // The replay folds from the committed state (nothing), so it decides the same.
    const replay = planOf([event(1, { absent: true })]);
    expect(replay.verdicts).toEqual(plan.verdicts);
    await new FlushWriter(dataSource).commit({ ...batch, verdicts: replay.verdicts });
    expect(await stored(0)).toEqual({ verdict: { outcome: 'applied', seenVersion: 0 } });
  });

  it('a zombie (stale epoch) writes no verdict', async () => {
    await oplog.claim(key, 0, 'consumer-a');
    await oplog.claim(key, 0, 'consumer-b');
    const plan = planOf([event(1, { present: true })]);
    await expect(new FlushWriter(dataSource).commit({ key, partition: 0, epoch: 1, nextOffset: 1, records: plan.records, verdicts: plan.verdicts })).resolves.toEqual({ kind: 'fenced' });
    expect(await stored(0)).toBeUndefined();
  });

  it('a second copy of a record answers with its first copy\'s verdict, also when committed by a later flush', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const writer = new FlushWriter(dataSource);
    const first: VerdictEntry = { offset: 0, ts: NOW, src: 'producer-a', seq: 7, verdict: { outcome: 'rejected', seenVersion: 3, reason: 'condition' } };
    await writer.commit({ key, partition: 0, epoch, nextOffset: 1, records: [], verdicts: [first] });
    await writer.commit({ key, partition: 0, epoch, nextOffset: 6, records: [], verdicts: [{ offset: 5, ts: NOW, src: 'producer-a', seq: 7, verdict: 'copy' }] });
    expect(await stored(5)).toEqual({ verdict: { outcome: 'rejected', seenVersion: 3, reason: 'condition' }, copyOf: 0 });
  });

  it('keeps verdicts for the retention: older ones are deleted, newer ones and other groups\' stay', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const entry = (offset: number, ts: number): VerdictEntry => ({ offset, ts, src: 'p', seq: offset, verdict: { outcome: 'applied', seenVersion: 0 } });
    await new FlushWriter(dataSource).commit({ key, partition: 0, epoch, nextOffset: 3, records: [], verdicts: [entry(0, NOW - 120_000), entry(1, NOW - 90_000), entry(2, NOW)] });
    const other = { ...key, consumerGroup: uniqueName('other') };
    const claimed = await oplog.claim(other, 0, 'consumer-a');
    await new FlushWriter(dataSource).commit({ key: other, partition: 0, epoch: claimed.epoch, nextOffset: 1, records: [], verdicts: [entry(0, NOW - 120_000)] });

    expect(await verdicts.deleteExpired(key, 60_000, 1)).toBe(2); // in batches of 1
    expect([await stored(0), await stored(1), await stored(2)].map((v) => v?.verdict.outcome)).toEqual([undefined, undefined, 'applied']);
    expect(await verdicts.find(other, 0, 0)).toBeDefined();
  });
});
