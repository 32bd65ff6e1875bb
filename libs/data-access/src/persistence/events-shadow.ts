import type { EntityRecord, ParkedId, ProducerMark, VerdictEntry } from '@async2/domain';
import type { DataSource } from 'typeorm';
import { ADVANCE_UNDER_EPOCH } from './epoch-fence';
import { EventsRepository } from './events.repository';
import { eventRowsFrom, eventRowsJson } from './event-rows';
import type { OplogKey } from './oplog.repository';
import { replaceParked } from './parked-statement';
import { INSERT_VERDICTS_KEEPING, verdictParameters } from './verdict-statement';

// The shadow's columns are EVENTS' own (CREATE TABLE ... LIKE events), so the swap copies rows as they are.
const COLUMNS = 'id, state, deleted, version, partition, last_offset, event_ts, updated_at, recent_event_ids, field_times, expires_at';

const SHADOW_PREFIX = 'events_rebuild_';

/** What a rebuild's fold ends with, swapped in with its rows: every field is the partition's whole state at `nextOffset`. */
export interface RebuiltState {
  nextOffset: number;
  marks: readonly ProducerMark[];
  /** Verdicts decided by the fold (those already stored are kept: a verdict never flips). */
  verdicts: readonly VerdictEntry[];
  /** The IDs parked at `nextOffset`, with their kept events in order. */
  parked: readonly ParkedId[];
}

/**
 * A rebuild's shadow of one partition's EVENTS rows (`events_rebuild_<p>_<epoch>`): the fold writes here,
 * never into EVENTS, until the swap replaces the partition's rows with it in ONE transaction under
 * the epoch fence. Only the rebuild holding the claim writes it, so its upsert needs no version guard.
 */
export class EventsShadow {
  readonly table: string;
  /** Reads of the shadow as domain records, for the fold's missing rows. */
  readonly records: EventsRepository;

  constructor(
    private readonly dataSource: DataSource,
    readonly partition: number,
    /** The epoch of the rebuild's claim: it names the shadow, so a rebuild that fenced another never shares its table. */
    readonly epoch: number,
  ) {
    if (!Number.isSafeInteger(partition) || partition < 0 || partition > 99_999) throw new RangeError(`not a partition: ${partition}`);
    if (!Number.isSafeInteger(epoch) || epoch < 1) throw new RangeError(`not an epoch: ${epoch}`);
    this.table = `${SHADOW_PREFIX}${partition}_${epoch}`;
    this.records = new EventsRepository(dataSource, this.table);
  }

  /**
   * A fresh shadow. Shadows of this partition left by older claims (a rebuild killed before it
   * cleaned up, or one this claim fenced: it can write nothing more) are dropped first. With `fromOffset` > 0 it
   * starts with the partition's rows whose last event is below that offset: their state is the state
   * at `fromOffset`. Unlogged: a crash loses it, and the rebuild starts again.
   */
  async create(fromOffset: number): Promise<number> {
    const older: Array<{ tablename: string }> = await this.dataSource.query('SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1', [`${SHADOW_PREFIX}${this.partition}\\_%`]);
    for (const { tablename } of older) {
      const epoch = Number(tablename.slice(`${SHADOW_PREFIX}${this.partition}_`.length));
      if (Number.isSafeInteger(epoch) && epoch < this.epoch) await this.dataSource.query(`DROP TABLE IF EXISTS ${SHADOW_PREFIX}${this.partition}_${epoch}`);
    }
    await this.drop();
    await this.dataSource.query(`CREATE UNLOGGED TABLE ${this.table} (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`);
    if (fromOffset === 0) return 0;
    const [seeded]: Array<{ rows: number }> = await this.dataSource.query(
      `WITH seeded AS (INSERT INTO ${this.table} (${COLUMNS}) SELECT ${COLUMNS} FROM events WHERE partition = $1 AND last_offset < $2 RETURNING 1) SELECT count(*)::int AS rows FROM seeded`,
      [this.partition, fromOffset],
    );
    return seeded.rows;
  }

  /** The shadow's rows of these IDs (IDs without a row are absent). */
  findRecords(ids: readonly string[]): Promise<Map<string, EntityRecord>> {
    return this.records.findRecords(ids);
  }

  /** The shadow's rows whose expiry (ttlMs) is at or before `now` and not swept yet, oldest expiry first (the rebuild's TTL sweep). */
  findExpiredIds(now: number, limit: number): Promise<string[]> {
    return this.records.findExpiredIds(this.partition, now, limit);
  }

  /** Writes the absolute state of these records (the fold's flush plan) into the shadow. */
  async write(records: readonly EntityRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ${this.table} AS e (${COLUMNS})
         SELECT u.id, u.state, u.deleted, u.version, u.partition, u.last_offset, to_timestamp(u.event_ts_ms / 1000.0), now(), u.recent_event_ids, u.field_times, to_timestamp(u.expires_at_ms / 1000.0)
           FROM ${eventRowsFrom('$1')}
       ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, deleted = EXCLUDED.deleted, version = EXCLUDED.version, partition = EXCLUDED.partition,
         last_offset = EXCLUDED.last_offset, event_ts = EXCLUDED.event_ts, updated_at = EXCLUDED.updated_at, recent_event_ids = EXCLUDED.recent_event_ids, field_times = EXCLUDED.field_times, expires_at = EXCLUDED.expires_at`,
      [eventRowsJson(records)],
    );
  }

  /**
   * Replaces the partition's EVENTS rows, producer marks and parked store (PARKED_IDS and
   * PARKED_EVENTS: the fold's parked IDs at `nextOffset`, absolute) with the rebuild's, writes the
   * verdicts of conditional events not decided before (INSERT_VERDICTS_KEEPING), and moves OPLOG to
   * `nextOffset`, in ONE transaction that starts with the epoch fence (rule 2 of epoch-fence.ts): if
   * another instance claimed the partition since `epoch`, nothing changes and it answers 'fenced'.
   */
  async swap(key: OplogKey, epoch: number, state: RebuiltState): Promise<{ kind: 'swapped'; removed: number; written: number } | { kind: 'fenced' }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const { nextOffset, marks, verdicts, parked } = state;
      const advanced = await runner.query(ADVANCE_UNDER_EPOCH, [key.consumerGroup, key.topic, this.partition, epoch, nextOffset], true);
      if (advanced.affected !== 1) {
        await runner.rollbackTransaction();
        return { kind: 'fenced' };
      }
      const removed = (await runner.query('DELETE FROM events WHERE partition = $1', [this.partition], true)).affected ?? 0;
      const written = (await runner.query(`INSERT INTO events (${COLUMNS}) SELECT ${COLUMNS} FROM ${this.table}`, [], true)).affected ?? 0;
      await runner.query('DELETE FROM producer_marks WHERE consumer_group = $1 AND topic = $2 AND partition = $3', [key.consumerGroup, key.topic, this.partition]);
      await runner.query(
        `INSERT INTO producer_marks (consumer_group, topic, partition, src, last_seq, last_ts)
           SELECT $1, $2, $3, u.src, u.last_seq, u.last_ts FROM unnest($4::text[], $5::bigint[], $6::bigint[]) AS u(src, last_seq, last_ts)`,
        [key.consumerGroup, key.topic, this.partition, marks.map((m) => m.src), marks.map((m) => m.seq), marks.map((m) => m.ts)],
      );
      if (verdicts.length > 0) await runner.query(INSERT_VERDICTS_KEEPING, verdictParameters(key, this.partition, verdicts));
      // Still under the OPLOG row lock the fence statement took: the parked store commits with the offset it is the state at.
      await replaceParked(runner, key, this.partition, parked);
      await runner.commitTransaction();
      return { kind: 'swapped', removed, written };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  async drop(): Promise<void> {
    await this.dataSource.query(`DROP TABLE IF EXISTS ${this.table}`);
  }
}
