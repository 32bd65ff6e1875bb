import type { EntityRecord } from '@async2/domain';
import { createTestDatabase, migratedDataSource, type TestDatabase, uniqueName, waitFor } from '@async2/testing';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { EventRow } from './event-row.entity';
import { ChangeOutboxRepository } from './change-outbox.repository';
import { MIGRATIONS } from './data-source.options';
import { EventsRepository } from './events.repository';
import { FlushWriter } from './flush-writer';
import { type OplogKey, OplogRepository } from './oplog.repository';
import { OplogRow } from './oplog-row.entity';
import { runMigrations } from './run-migrations';

// Real PostgreSQL: the one-transaction flush (EVENTS rows + OPLOG offset) and its epoch fence.
// This suite needs no broker: OPLOG only names the topic.

let db: TestDatabase;
let dataSource: DataSource;
let oplog: OplogRepository;
let writer: FlushWriter;
let events: EventsRepository;
const topic = uniqueName('events-test');

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = await migratedDataSource(db.url);
  oplog = new OplogRepository(dataSource);
  writer = new FlushWriter(dataSource);
  events = new EventsRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

/** Every test owns its consumer group and ID prefix, so tests never see each other's rows. */
let key: OplogKey;
let prefix: string;
beforeEach(() => {
  key = { consumerGroup: uniqueName('group'), topic };
  prefix = uniqueName('id');
});

function record(id: string, overrides: Partial<EntityRecord> = {}): EntityRecord {
  return {
    id: `${prefix}-${id}`,
    state: { name: id, n: 1, nested: { tags: ['a', 'é'] } },
    deleted: false,
    version: 3,
    partition: 0,
    lastOffset: 41,
    eventTs: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
    recentEventIds: ['e-1', 'e-2'],
    ...overrides,
  };
}

/** The EVENTS rows of these records as psql shows them, in the EntityRecord's shape. */
async function storedRows(ids: readonly string[]): Promise<EntityRecord[]> {
  const rows: Array<Record<string, unknown>> = await dataSource.query(
    `SELECT id, state, deleted, version::text, partition, last_offset::text, event_ts, recent_event_ids
       FROM events WHERE id = ANY($1::text[]) ORDER BY id`,
    [ids],
  );
  return rows.map((r) => ({
    id: r.id as string,
    state: r.state as EntityRecord['state'],
    deleted: r.deleted as boolean,
    version: Number(r.version),
    partition: r.partition as number,
    lastOffset: Number(r.last_offset),
    eventTs: (r.event_ts as Date).getTime(),
    recentEventIds: r.recent_event_ids as string[],
  }));
}

async function oplogRow(partition: number): Promise<{ nextOffset: number; epoch: number; owner: string | null } | undefined> {
  const rows: Array<{ next_offset: string; epoch: string; owner: string | null }> = await dataSource.query(
    'SELECT next_offset::text, epoch::text, owner FROM oplog WHERE consumer_group = $1 AND topic = $2 AND partition = $3',
    [key.consumerGroup, key.topic, partition],
  );
  return rows[0] && { nextOffset: Number(rows[0].next_offset), epoch: Number(rows[0].epoch), owner: rows[0].owner };
}

const sortById = (records: EntityRecord[]) => [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe('migrations', () => {
  const typeNames: Record<string, string> = { timestamptz: 'timestamp with time zone' };

  it.each([
    ['events', EventRow],
    ['oplog', OplogRow],
  ])('create table %s with exactly the columns, types, defaults, nullability and primary key of its entity', async (table, entity) => {
    const metadata = dataSource.getMetadata(entity);
    const columns: Array<{ column_name: string; data_type: string; column_default: string | null; is_nullable: string }> = await dataSource.query(
      `SELECT column_name, data_type, column_default, is_nullable FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 ORDER BY column_name COLLATE "C"`,
      [table],
    );
    const expected = metadata.columns
      .map((c) => ({
        column_name: c.databaseName,
        data_type: typeNames[String(c.type)] ?? String(c.type),
        column_default: c.default === undefined ? null : typeof c.default === 'function' ? c.default() : String(c.default),
        is_nullable: c.isNullable ? 'YES' : 'NO',
      }))
      .sort((a, b) => (a.column_name < b.column_name ? -1 : 1));
    expect(columns).toEqual(expected);

    const primaryKey: Array<{ column_name: string }> = await dataSource.query(
      `SELECT k.column_name FROM information_schema.table_constraints t
         JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name
        WHERE t.table_name = $1 AND t.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position`,
      [table],
    );
    expect(primaryKey.map((k) => k.column_name)).toEqual(metadata.primaryColumns.map((c) => c.databaseName));
  });

  it('run a second time as a no-op', async () => {
    const tablesBefore: unknown[] = await dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    await expect(runMigrations(dataSource)).resolves.toEqual([]);
    await expect(runMigrations(dataSource)).resolves.toEqual([]);
    expect(await dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).toEqual(tablesBefore);
    expect(await dataSource.query('SELECT name FROM migrations ORDER BY id')).toEqual(MIGRATIONS.map((M) => ({ name: new M().name })));
  });
});

describe('claiming a partition', () => {
  it('starts a new partition at epoch 1 and offset 0, owned by the claimant', async () => {
    await expect(oplog.claim(key, 3, 'consumer-a')).resolves.toEqual({ partition: 3, epoch: 1, nextOffset: 0 });
    expect(await oplogRow(3)).toEqual({ nextOffset: 0, epoch: 1, owner: 'consumer-a' });
  });

  it('bumps the epoch and hands over the committed offset to the next claimant', async () => {
    await oplog.claim(key, 3, 'consumer-a');
    await expect(writer.commit({ key, partition: 3, epoch: 1, nextOffset: 42, records: [] })).resolves.toEqual({ kind: 'committed', rows: 0, refused: 0 });

    await expect(oplog.claim(key, 3, 'consumer-b')).resolves.toEqual({ partition: 3, epoch: 2, nextOffset: 42 });
    expect(await oplogRow(3)).toEqual({ nextOffset: 42, epoch: 2, owner: 'consumer-b' });
    expect(await oplog.nextOffsets(key)).toEqual(new Map([[3, 42]]));
  });
});

describe('a flush', () => {
  it('commits the rows and the OPLOG offset together, exactly as folded', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const batch = [record('a'), record('b', { state: { list: [1, 2.5, null, true], text: 'line\nbreak "quoted"' }, version: 1, lastOffset: 7, recentEventIds: [] })];

    await expect(writer.commit({ key, partition: 0, epoch, nextOffset: 42, records: batch })).resolves.toEqual({ kind: 'committed', rows: 2, refused: 0 });

    expect(await storedRows(batch.map((r) => r.id))).toEqual(sortById(batch));
    expect(await oplogRow(0)).toMatchObject({ nextOffset: 42, epoch });
  });

  it('writes absolute values: a later flush replaces a row, it never adds to it', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    await writer.commit({ key, partition: 0, epoch, nextOffset: 10, records: [record('a', { state: { n: 5 }, version: 1 })] });
    const updated = record('a', { state: { n: 6 }, version: 2, lastOffset: 10, recentEventIds: ['e-3'] });
    await writer.commit({ key, partition: 0, epoch, nextOffset: 11, records: [updated] });
    expect(await storedRows([updated.id])).toEqual([updated]);
  });

  it('keeps the field times (event-time writes) with the row, for the next owner to load; a delete clears them', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const timed = record('t', { fieldTimes: { lastSet: 1_600_000_000_000, fields: { toString: 1_600_000_000_500 } } });
    await writer.commit({ key, partition: 0, epoch, nextOffset: 5, records: [timed, record('u')] });
    const loaded = await events.findRecords([timed.id, `${prefix}-u`]);
    expect(loaded.get(timed.id)).toEqual(timed);
    expect(loaded.get(`${prefix}-u`)).not.toHaveProperty('fieldTimes');

    const deleted = record('t', { state: null, deleted: true, version: 4, lastOffset: 5 });
    await writer.commit({ key, partition: 0, epoch, nextOffset: 6, records: [deleted] });
    expect((await events.findRecords([timed.id])).get(timed.id)).toEqual(deleted);
  });

  it('is all or nothing: when one row fails, neither the other rows nor the offset change', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const before = [record('a', { version: 1 }), record('b', { version: 1 })];
    await writer.commit({ key, partition: 0, epoch, nextOffset: 10, records: before });

    // jsonb rejects U+0000; it comes after valid rows, so they were written in the transaction first.
    const failing = [record('a', { version: 2 }), record('b', { version: 2 }), record('c'), record('poison', { state: { text: 'nul \u0000 here' } })];
    await expect(writer.commit({ key, partition: 0, epoch, nextOffset: 20, records: failing })).rejects.toThrow(/\\u0000|unicode/i);

    expect(await storedRows(failing.map((r) => r.id))).toEqual(sortById(before));
    expect(await oplogRow(0)).toMatchObject({ nextOffset: 10, epoch });
    // The connection went back to the pool usable: the next flush works.
    await expect(writer.commit({ key, partition: 0, epoch, nextOffset: 20, records: failing.slice(0, 3) })).resolves.toEqual({ kind: 'committed', rows: 3, refused: 0 });
  });

  it('with a stale epoch is fenced and changes nothing', async () => {
    await oplog.claim(key, 0, 'consumer-a');
    const committed = record('a', { version: 1 });
    await writer.commit({ key, partition: 0, epoch: 1, nextOffset: 5, records: [committed] });
    await oplog.claim(key, 0, 'consumer-b');

    const zombie = [record('a', { version: 2, state: { by: 'zombie' } }), record('new')];
    await expect(writer.commit({ key, partition: 0, epoch: 1, nextOffset: 9, records: zombie })).resolves.toEqual({ kind: 'fenced' });

    expect(await storedRows(zombie.map((r) => r.id))).toEqual([committed]);
    expect(await oplogRow(0)).toEqual({ nextOffset: 5, epoch: 2, owner: 'consumer-b' });
    // The new owner's flush goes through.
    await expect(writer.commit({ key, partition: 0, epoch: 2, nextOffset: 9, records: zombie })).resolves.toEqual({ kind: 'committed', rows: 2, refused: 0 });
  });

  it('of a partition nobody claimed is fenced', async () => {
    await expect(writer.commit({ key, partition: 9, epoch: 1, nextOffset: 1, records: [record('a')] })).resolves.toEqual({ kind: 'fenced' });
    expect(await storedRows([`${prefix}-a`])).toEqual([]);
    expect(await oplogRow(9)).toBeUndefined();
  });

  it('writes 20,000 rows in one commit (far past the 65,535 bind-parameter limit of a multi-row VALUES)', async () => {
    const { epoch } = await oplog.claim(key, 1, 'consumer-a');
    const many = Array.from({ length: 20_000 }, (_, i) => record(`bulk-${i}`, { partition: 1, state: { i }, version: i + 1, lastOffset: i, recentEventIds: [`e-${i}`] }));

    await expect(writer.commit({ key, partition: 1, epoch, nextOffset: 20_000, records: many })).resolves.toEqual({ kind: 'committed', rows: 20_000, refused: 0 });

    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM events WHERE id LIKE $1`, [`${prefix}-bulk-%`]);
    expect(count).toBe(20_000);
    const samples = [many[0], many[12_345], many[19_999]];
    expect(await storedRows(samples.map((r) => r.id))).toEqual(sortById(samples));
    expect(await oplogRow(1)).toMatchObject({ nextOffset: 20_000 });
  });

  it('rewrites a row on its own page when a later flush changes it (EVENTS fillfactor 70: HOT updates, no new index entries)', async () => {
    const { epoch } = await oplog.claim(key, 2, 'consumer-a');
    const ids = Array.from({ length: 1_000 }, (_, i) => `hot-${i}`);
    const pageOf = async (): Promise<Map<string, string>> => {
      const rows: Array<{ id: string; page: string }> = await dataSource.query(`SELECT id, (ctid::text::point)[0]::text AS page FROM events WHERE id LIKE $1`, [`${prefix}-hot-%`]);
      return new Map(rows.map((r) => [r.id, r.page]));
    };
    await writer.commit({ key, partition: 2, epoch, nextOffset: 1, records: ids.map((id) => record(id, { partition: 2, state: { n: 1 } })) });
    const before = await pageOf();
    await writer.commit({ key, partition: 2, epoch, nextOffset: 2, records: ids.map((id) => record(id, { partition: 2, state: { n: 2 }, version: 4 })) });
    const after = await pageOf();

    const stayed = [...after].filter(([id, page]) => before.get(id) === page).length;
    // ~30% of each page is free for the first rewrite (~0 at the default fillfactor 100: a full page moves every row).
    expect(stayed).toBeGreaterThanOrEqual(200);
  });

  it("carries IDs and states through COPY's text format exactly: backslashes, quotes, \\N, tabs and newlines in strings, any Unicode", async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const awkward = ['back\\slash', '\\N', 'ends with \\', 'quote " and \'', 'tab\there', 'line\nbreak\r\n', 'sep\u2028line', 'é 漢字 🙂', 'pipe|comma,semi;', ''];
    const records = awkward.map((text, i) =>
      record(`${i}-${text.replace(/[\t\n\r]/g, '')}\\N\\`, {
        state: { text, list: [text, { [text]: text }], n: -1.5e-7 },
        recentEventIds: [text, `e-${i}`],
        fieldTimes: { lastSet: 1_700_000_000_000, fields: { [text]: 1_700_000_000_000 + i } },
        expiresAt: Date.UTC(2030, 0, 1, 0, 0, 0, i),
      }),
    );
    await expect(writer.commit({ key, partition: 0, epoch, nextOffset: 1, records })).resolves.toEqual({ kind: 'committed', rows: records.length, refused: 0 });

    const found = await events.findRecords(records.map((r) => r.id));
    expect(new Map([...found].sort(([a], [b]) => (a < b ? -1 : 1)))).toEqual(new Map(sortById(records).map((r) => [r.id, r])));
  });

  it("writes only its own rows: the rows COPYed for a flush are gone at its commit, and a fenced flush's with its rollback", async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    await writer.commit({ key, partition: 0, epoch, nextOffset: 1, records: [record('x', { version: 1 }), record('y', { version: 1 })] });
    await expect(writer.commit({ key, partition: 0, epoch: epoch - 1, nextOffset: 2, records: [record('zombie', { version: 7 })] })).resolves.toEqual({ kind: 'fenced' });

    await expect(writer.commit({ key, partition: 0, epoch, nextOffset: 3, records: [record('z', { version: 1 })] })).resolves.toEqual({ kind: 'committed', rows: 1, refused: 0 });
    await expect(writer.commit({ key, partition: 0, epoch, nextOffset: 4, records: [] })).resolves.toEqual({ kind: 'committed', rows: 0, refused: 0 });

    expect(await storedRows(['x', 'y', 'zombie', 'z'].map((id) => `${prefix}-${id}`))).toEqual(sortById([record('x', { version: 1 }), record('y', { version: 1 }), record('z', { version: 1 })]));
  });

  it('stores a delete as a tombstone that keeps its version and recent eventIds', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const live = record('gone', { version: 4 });
    await writer.commit({ key, partition: 0, epoch, nextOffset: 10, records: [live, record('never-lived', { state: null, deleted: true, version: 1 })] });
    const tombstone = record('gone', { state: null, deleted: true, version: 5, lastOffset: 10, recentEventIds: ['e-1', 'e-2', 'e-del'] });
    await writer.commit({ key, partition: 0, epoch, nextOffset: 11, records: [tombstone] });

    const found = await events.findRecords([tombstone.id, `${prefix}-never-lived`, `${prefix}-absent`]);
    expect(found).toEqual(
      new Map([
        [tombstone.id, tombstone],
        [`${prefix}-never-lived`, record('never-lived', { state: null, deleted: true, version: 1 })],
      ]),
    );
    // SQL NULL, not the JSON value null.
    const [{ isNull }] = await dataSource.query('SELECT state IS NULL AS "isNull" FROM events WHERE id = $1', [tombstone.id]);
    expect(isNull).toBe(true);
  });
});

describe('a claim racing a flush', () => {
  let racer: Client;
  beforeEach(async () => {
    racer = new Client({ connectionString: db.url, application_name: 'racing-flush' });
    await racer.connect();
  });
  afterEach(async () => {
    await racer.end();
  });

  it('waits for the in-flight flush and resumes from the offset that flush wrote', async () => {
    await oplog.claim(key, 0, 'consumer-a');
    await writer.commit({ key, partition: 0, epoch: 1, nextOffset: 10, records: [] });

    // consumer-a's flush, paused between its fenced OPLOG update and its commit.
    await racer.query('BEGIN');
    const advanced = await racer.query('UPDATE oplog SET next_offset = 77 WHERE consumer_group = $1 AND topic = $2 AND partition = 0 AND epoch = 1', [key.consumerGroup, key.topic]);
    expect(advanced.rowCount).toBe(1);
    await racer.query(
      `INSERT INTO events (id, state, version, partition, last_offset, event_ts) VALUES ($1, '{"n": 1}', 1, 0, 76, now())`,
      [`${prefix}-raced`],
    );

    let settled = false;
    const claim = oplog.claim(key, 0, 'consumer-b').finally(() => (settled = true));
    await waitFor(
      async () => {
        // Asked from the pool, not from `racer`: inside a transaction pg_stat_activity is a frozen snapshot.
        const waiting: unknown[] = await dataSource.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO oplog%'`,
        );
        return waiting.length === 1;
      },
      { timeoutMs: 10_000, what: 'the claim to wait on the OPLOG row lock' },
    );
    expect(settled).toBe(false);

    await racer.query('COMMIT');
    await expect(claim).resolves.toEqual({ partition: 0, epoch: 2, nextOffset: 77 });
    expect(await oplogRow(0)).toEqual({ nextOffset: 77, epoch: 2, owner: 'consumer-b' });
    // And consumer-a is fenced from here on.
    await expect(writer.commit({ key, partition: 0, epoch: 1, nextOffset: 80, records: [] })).resolves.toEqual({ kind: 'fenced' });
  });
});

describe('the flush statement inside its transaction', () => {
  const marks = () => dataSource.query('SELECT src, last_seq::int AS seq FROM producer_marks WHERE consumer_group = $1 AND topic = $2 AND partition = 0 ORDER BY src', [key.consumerGroup, key.topic]);

  it('holds the OPLOG row lock from its one statement to COMMIT: a claim waits, then resumes from the offset it wrote', async () => {
    await oplog.claim(key, 0, 'consumer-a');
    let reached: () => void = () => undefined;
    const atCommit = new Promise<void>((resolve) => (reached = resolve));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const pausing = new FlushWriter(dataSource, {
      beforeCommit: () => {
        reached();
        return held;
      },
    });
    const flush = pausing.commit({ key, partition: 0, epoch: 1, nextOffset: 30, records: [record('locked', { version: 1 })], producerMarks: { changed: [{ src: 'p~1', seq: 7, ts: 1 }], forgotten: [] } });
    await atCommit;
    let settled = false;
    const claim = oplog.claim(key, 0, 'consumer-b').finally(() => (settled = true));
    await waitFor(
      async () => (await dataSource.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO oplog%'`)).length === 1,
      { timeoutMs: 10_000, what: 'the claim to wait on the OPLOG row lock' },
    );
    expect(settled).toBe(false);
    expect(await storedRows([`${prefix}-locked`])).toEqual([]); // not committed: invisible
    release();
    await expect(flush).resolves.toEqual({ kind: 'committed', rows: 1, refused: 0 });
    await expect(claim).resolves.toEqual({ partition: 0, epoch: 2, nextOffset: 30 });
    expect(await storedRows([`${prefix}-locked`])).toEqual([record('locked', { version: 1 })]);
    expect(await marks()).toEqual([{ src: 'p~1', seq: 7 }]);
  });

  it('writes and forgets producer marks only when the fence matched', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    await writer.commit({ key, partition: 0, epoch, nextOffset: 5, records: [], producerMarks: { changed: [{ src: 'p~1', seq: 1, ts: 1 }, { src: 'p~2', seq: 4, ts: 1 }], forgotten: [] } });
    await oplog.claim(key, 0, 'consumer-b');
    const stale = { changed: [{ src: 'p~3', seq: 9, ts: 2 }], forgotten: ['p~1'] };
    await expect(writer.commit({ key, partition: 0, epoch, nextOffset: 8, records: [record('zombie')], producerMarks: stale })).resolves.toEqual({ kind: 'fenced' });
    expect(await marks()).toEqual([{ src: 'p~1', seq: 1 }, { src: 'p~2', seq: 4 }]);
    expect(await storedRows([`${prefix}-zombie`])).toEqual([]);
    await expect(writer.commit({ key, partition: 0, epoch: epoch + 1, nextOffset: 8, records: [], producerMarks: stale })).resolves.toEqual({ kind: 'committed', rows: 0, refused: 0 });
    expect(await marks()).toEqual([{ src: 'p~2', seq: 4 }, { src: 'p~3', seq: 9 }]);
    expect(await oplogRow(0)).toMatchObject({ nextOffset: 8, epoch: 2 });
  });
});

describe('the change outbox (CHANGE_OUTBOX)', () => {
  const outboxOf = async (ids: readonly string[]) => {
    const pending = await new ChangeOutboxRepository(dataSource).oldest([0, 1, 2, 3], 100_000);
    return pending.filter((p) => ids.includes(p.change.id)).map((p) => p.change);
  };

  it('gets every committed change in the same transaction, exactly as written to EVENTS, in commit order', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const first = [record('a', { version: 1, state: { n: 1 } }), record('b', { version: 1, state: { n: 1 } })];
    await writer.commit({ key, partition: 0, epoch, nextOffset: 10, records: first });
    const second = [record('a', { version: 2, deleted: true, state: null, lastOffset: 12 })];
    await writer.commit({ key, partition: 0, epoch, nextOffset: 13, records: second });
    const ids = [...first, ...second].map((r) => r.id);
    const toChange = (r: EntityRecord) => ({ id: r.id, version: r.version, deleted: r.deleted, state: r.state, partition: r.partition, offset: r.lastOffset, ts: r.eventTs });
    const outbox = await outboxOf(ids);
    expect(outbox.filter((c) => c.version === 1).sort((x, y) => x.id.localeCompare(y.id))).toEqual(first.map(toChange));
    expect(outbox.at(-1)).toEqual(toChange(second[0]));
  });

  it('gets nothing from a fenced flush or a failed one', async () => {
    await oplog.claim(key, 0, 'consumer-a');
    await oplog.claim(key, 0, 'consumer-b');
    const zombie = [record('z', { version: 9 })];
    await expect(writer.commit({ key, partition: 0, epoch: 1, nextOffset: 9, records: zombie })).resolves.toEqual({ kind: 'fenced' });
    const failing = [record('ok'), record('bad', { state: { text: 'nul \u0000 here' } })];
    await expect(writer.commit({ key, partition: 0, epoch: 2, nextOffset: 9, records: failing })).rejects.toThrow();
    expect(await outboxOf([...zombie, ...failing].map((r) => r.id))).toEqual([]);
  });

  it('is not written when the outbox is off (the cost measurement)', async () => {
    const { epoch } = await oplog.claim(key, 0, 'consumer-a');
    const rows = [record('plain')];
    await new FlushWriter(dataSource, { changeOutbox: false }).commit({ key, partition: 0, epoch, nextOffset: 1, records: rows });
    expect(await storedRows(rows.map((r) => r.id))).toHaveLength(1);
    expect(await outboxOf(rows.map((r) => r.id))).toEqual([]);
  });
});
