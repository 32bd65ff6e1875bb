import { encodeEventRecord, EventsRepository, FlushWriter, type OplogKey, OplogRepository, ParkedRepository, type RecordSender, type SourceRecord } from '@async2/data-access';
import { DEFAULT_EVENT_LIMITS, PartitionBuffer, type StampedEvent } from '@async2/domain';
import { createTestDatabase, migratedDataSource, type TestDatabase, uniqueName } from '@async2/testing';
import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { FailPoints } from '../faults/fail-point';
import { DeadLetterPublisher } from '../flush/dead-letter.publisher';
import { ExpirySweep } from './expiry-sweep';
import { type LaneDependencies, PartitionLane } from './partition-lane';

// Real PostgreSQL: the TTL sweep inside the flush transaction. Records are encoded by the real
// codec and handed to the lane at their offsets, as its source would (this suite needs no broker:
// what it proves is what the flush transaction commits, and OPLOG only names the topic).

let db: TestDatabase;
let dataSource: DataSource;
let events: EventsRepository;
let oplog: OplogRepository;
const topic = uniqueName('events-ttl');
const P = 0;
const T0 = 1_800_000_000_000;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await migratedDataSource(db.url);
  events = new EventsRepository(dataSource);
  oplog = new OplogRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

let key: OplogKey;
let prefix: string;
/** The consumer's clock the sweep reads, moved by the tests. */
let now: number;
/** When set, the flush transaction fails after its statement, before COMMIT (a crash there). */
let crashBeforeCommit: boolean;
beforeEach(() => {
  key = { consumerGroup: uniqueName('group'), topic };
  prefix = uniqueName('ttl');
  now = T0;
  crashBeforeCommit = false;
});

const noDeadLetters: RecordSender = {
  send: () => Promise.reject(new Error('no record of this suite is poison')),
  close: () => Promise.resolve(),
} as unknown as RecordSender;
const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() } as unknown as Logger;

/** A lane for partition P, claimed in OPLOG as `owner`, with the TTL sweep on the test's clock. */
async function claimLane(owner: string): Promise<PartitionLane> {
  const claim = await oplog.claim(key, P, owner);
  const deps: LaneDependencies = {
    events,
    parked: new ParkedRepository(dataSource),
    writer: new FlushWriter(dataSource, {
      beforeCommit: () => {
        if (crashBeforeCommit) throw new Error('crash between the sweep and COMMIT');
      },
    }),
    deadLetters: new DeadLetterPublisher(noDeadLetters, `${topic}.dlq`, topic, 1),
    key,
    limits: DEFAULT_EVENT_LIMITS,
    logger,
    failPoints: new FailPoints(undefined),
    expirySweep: (partition) => new ExpirySweep(events, partition, { intervalMs: 0, maxIds: 100, now: () => now }),
  };
  const buffer = new PartitionBuffer({ partition: P, nextOffset: claim.nextOffset, dedupeWindow: 8, maxCachedIds: 1000 });
  return new PartitionLane(P, claim.epoch, buffer, deps);
}

/** Folds events at the lane's next offsets, as its source hands them over. */
function fold(lane: PartitionLane, ...items: Array<Omit<StampedEvent, 'src' | 'id'> & { id: string }>): void {
  for (const item of items) {
    const { key: k, value } = encodeEventRecord({ ...item, id: `${prefix}-${item.id}`, src: 'producer-test' });
    const record: SourceRecord = { partition: P, offset: lane.buffer.nextOffset, key: k, value, headers: {}, timestamp: item.ts };
    expect(lane.fold(record)).toBe('folded');
  }
}

async function row(id: string) {
  const rows: Array<{ deleted: boolean; state: unknown; version: string; expires_ms: number | null }> = await dataSource.query(
    'SELECT deleted, state, version::text AS version, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms FROM events WHERE id = $1',
    [`${prefix}-${id}`],
  );
  const r = rows[0];
  return r && { deleted: r.deleted, state: r.state, version: Number(r.version), expiresAt: r.expires_ms === null ? null : Math.round(r.expires_ms) };
}

/** The change outbox rows of an ID, oldest first: what the change stream will carry. */
async function changes(id: string): Promise<Array<{ deleted: boolean; version: number }>> {
  const rows: Array<{ deleted: boolean; version: string }> = await dataSource.query('SELECT deleted, version::text AS version FROM change_outbox WHERE id = $1 ORDER BY seq', [`${prefix}-${id}`]);
  return rows.map((r) => ({ deleted: r.deleted, version: Number(r.version) }));
}

describe('the TTL sweep in the flush transaction', () => {
  it('tombstones an expired ID once: not on a crash before COMMIT, once after, never again on later flushes or a new owner', async () => {
    const lane = await claimLane('consumer-a');
    fold(lane, { id: 'x', op: 'set', data: { a: 1 }, ts: T0, ttlMs: 1000 }, { id: 'keep', op: 'set', data: { b: 1 }, ts: T0 });
    expect(await lane.flush()).toBe('committed');
    expect(await row('x')).toEqual({ deleted: false, state: { a: 1 }, version: 1, expiresAt: T0 + 1000 });

    now = T0 + 999;
    expect(await lane.flush()).toBe('idle'); // not expired yet: nothing to write
    now = T0 + 1000;
    crashBeforeCommit = true;
    await expect(lane.flush()).rejects.toThrow(/crash between the sweep and COMMIT/);
    expect(await row('x')).toMatchObject({ deleted: false, version: 1 });
    expect(await changes('x')).toEqual([{ deleted: false, version: 1 }]);

    crashBeforeCommit = false;
    expect(await lane.flush()).toBe('committed');
    expect(await row('x')).toEqual({ deleted: true, state: null, version: 2, expiresAt: null });
    expect(await row('keep')).toMatchObject({ deleted: false, version: 1 });
    expect(await changes('x')).toEqual([{ deleted: false, version: 1 }, { deleted: true, version: 2 }]);
    const [{ next_offset: nextOffset }] = await dataSource.query('SELECT next_offset::int AS next_offset FROM oplog WHERE consumer_group = $1 AND partition = $2', [key.consumerGroup, P]);
    expect(nextOffset).toBe(2); // a sweep moves no offset

    now = T0 + 60_000;
    expect(await lane.flush()).toBe('idle');
    const next = await claimLane('consumer-b'); // a new owner replays from OPLOG: the tombstone stays
    expect(await next.flush()).toBe('idle');
    expect(await changes('x')).toHaveLength(2);
  });

  it('a zombie with an old epoch sweeps nothing; the new owner sweeps once', async () => {
    const zombie = await claimLane('consumer-a');
    fold(zombie, { id: 'z', op: 'set', data: { a: 1 }, ts: T0, ttlMs: 10 });
    expect(await zombie.flush()).toBe('committed');
    const owner = await claimLane('consumer-b');
    now = T0 + 100;
    expect(await zombie.flush()).toBe('fenced');
    expect(await row('z')).toMatchObject({ deleted: false, version: 1 });
    expect(await owner.flush()).toBe('committed');
    expect(await row('z')).toMatchObject({ deleted: true, version: 2 });
    expect(await changes('z')).toEqual([{ deleted: false, version: 1 }, { deleted: true, version: 2 }]);
  });

  it('a write in the same flush window as the expiry revives the ID; one received before the expiry keeps it live until the sweep', async () => {
    const lane = await claimLane('consumer-a');
    fold(lane, { id: 'r', op: 'set', data: { a: 1, n: 1 }, ts: T0, ttlMs: 50 }, { id: 'l', op: 'set', data: { a: 1 }, ts: T0, ttlMs: 50 });
    expect(await lane.flush()).toBe('committed');
    now = T0 + 80;
    // r: written again after its expiry (receive time T0 + 60): the expiry and the write, in one flush.
    // l: a write received before its expiry (T0 + 40), folded late: applied to the live ID, then swept.
    fold(lane, { id: 'r', op: 'incr', data: { n: 5 }, ts: T0 + 60 }, { id: 'l', op: 'merge', data: { b: 2 }, ts: T0 + 40 });
    expect(await lane.flush()).toBe('committed');
    expect(await row('r')).toEqual({ deleted: false, state: { n: 5 }, version: 3, expiresAt: null });
    expect(await row('l')).toEqual({ deleted: true, state: null, version: 3, expiresAt: null });
    expect(await changes('r')).toEqual([{ deleted: false, version: 1 }, { deleted: false, version: 3 }]);
    expect(await changes('l')).toEqual([{ deleted: false, version: 1 }, { deleted: true, version: 3 }]);

    // After the sweep, a later write revives l too, and a ttlMs sets a new expiry.
    fold(lane, { id: 'l', op: 'set', data: { c: 3 }, ts: T0 + 90, ttlMs: 1000 });
    expect(await lane.flush()).toBe('committed');
    expect(await row('l')).toEqual({ deleted: false, state: { c: 3 }, version: 4, expiresAt: T0 + 1090 });
  });

  it('sweeps rows it does not hold (loaded by the flush), oldest expiry first, at most maxIds per flush', async () => {
    const writer = await claimLane('consumer-a');
    fold(writer, ...[3, 1, 2].map((i) => ({ id: `m${i}`, op: 'set' as const, data: { i }, ts: T0 + i, ttlMs: 100 })));
    expect(await writer.flush()).toBe('committed');
    const lane = await claimLane('consumer-b'); // holds nothing
    const sweep = new ExpirySweep(events, P, { intervalMs: 0, maxIds: 2, now: () => T0 + 500 });
    const found = await sweep.candidates();
    expect(found.ids).toEqual([`${prefix}-m1`, `${prefix}-m2`]);
    now = T0 + 500;
    expect(await lane.flush()).toBe('committed');
    expect((await Promise.all(['m1', 'm2', 'm3'].map(row))).map((r) => r?.deleted)).toEqual([true, true, true]);
  });
});
