import type { EntityRecord } from '@async2/domain';
import type { DataSource } from 'typeorm';

// Raw SQL on the hot path (design section 5); EventRow remains the description of the table.
const SELECT_COLUMNS = `id, state, deleted, version::text AS version, partition, last_offset::text AS last_offset,
  (extract(epoch FROM event_ts) * 1000)::float8 AS event_ts_ms, recent_event_ids, field_times,
  (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at_ms, updated_at`;

interface EventRowRaw {
  id: string;
  state: Record<string, unknown> | null;
  deleted: boolean;
  version: string;
  partition: number;
  last_offset: string;
  event_ts_ms: number;
  recent_event_ids: string[];
  field_times: EntityRecord['fieldTimes'] | null;
  expires_at_ms: number | null;
  updated_at: Date;
}

/** A stored record with the time its row was last written. */
export interface StoredRecord {
  record: EntityRecord;
  updatedAt: Date;
}

/** Reads of EVENTS as domain records (tombstones included: the fold needs their version and eventIds). */
export class EventsRepository {
  /** `table`: EVENTS, or a rebuild's shadow of it (events-shadow.ts); identifiers only from that allowlist (design section 10). */
  constructor(
    private readonly dataSource: DataSource,
    private readonly table = 'events',
  ) {
    if (!/^events(_rebuild_\d{1,5}_\d{1,16})?$/.test(table)) throw new Error(`not an EVENTS table: ${JSON.stringify(table)}`);
  }

  /** The stored records of these IDs, in one query; IDs without a row are absent from the map. */
  async findRecords(ids: readonly string[]): Promise<Map<string, EntityRecord>> {
    const records = new Map<string, EntityRecord>();
    if (ids.length === 0) return records;
    const rows: EventRowRaw[] = await this.dataSource.query(`SELECT ${SELECT_COLUMNS} FROM ${this.table} WHERE id = ANY($1::text[])`, [ids]);
    for (const row of rows) records.set(row.id, toRecord(row));
    return records;
  }

  /**
   * The expiry sweep's query: IDs of `partition` whose stored expiry is at or before `now` (ms),
   * oldest expiry first, at most `limit` (the partial index events_expiry_idx). Tombstones have no
   * expiry, so an ID swept once is never listed again.
   */
  async findExpiredIds(partition: number, now: number, limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM ${this.table} WHERE partition = $1 AND expires_at IS NOT NULL AND expires_at <= to_timestamp($2 / 1000.0) ORDER BY expires_at LIMIT $3`,
      [partition, now, limit],
    );
    return rows.map((r) => r.id);
  }

  async findStored(id: string): Promise<StoredRecord | undefined> {
    const rows: EventRowRaw[] = await this.dataSource.query(`SELECT ${SELECT_COLUMNS} FROM ${this.table} WHERE id = $1`, [id]);
    return rows.length === 0 ? undefined : { record: toRecord(rows[0]), updatedAt: rows[0].updated_at };
  }
}

function toRecord(row: EventRowRaw): EntityRecord {
  const record: EntityRecord = {
    id: row.id,
    state: row.state as EntityRecord['state'],
    deleted: row.deleted,
    version: Number(row.version),
    partition: row.partition,
    lastOffset: Number(row.last_offset),
    eventTs: Math.round(row.event_ts_ms),
    recentEventIds: row.recent_event_ids,
  };
  if (row.field_times !== null) record.fieldTimes = row.field_times;
  if (row.expires_at_ms !== null) record.expiresAt = Math.round(row.expires_at_ms);
  return record;
}
