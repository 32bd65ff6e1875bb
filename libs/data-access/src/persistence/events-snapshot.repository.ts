import type { CommittedChange } from '@async2/domain';
import type { DataSource } from 'typeorm';

export interface SnapshotPageQuery {
  /** Only IDs starting with this (empty: all). */
  prefix: string;
  /** Keyset paging: IDs strictly after this one (in byte order), or from the start. */
  afterId: string | undefined;
  limit: number;
}

/**
 * Pages of EVENTS in ID order (the primary key's order, so each page is an index range scan),
 * tombstones included: a replica needs a deleted ID's version to ignore older changes of it.
 */
export class EventsSnapshotRepository {
  constructor(private readonly dataSource: DataSource) {}

  async page(query: SnapshotPageQuery): Promise<CommittedChange[]> {
    // COLLATE "C": byte order, the same order `>` uses for the keyset, whatever the database's locale.
    const rows: Array<{ id: string; state: CommittedChange['state']; deleted: boolean; version: string; partition: number; last_offset: string; event_ts_ms: number; expires_at_ms: number | null }> =
      await this.dataSource.query(
        `SELECT id, state, deleted, version::text, partition, last_offset::text,
                (extract(epoch FROM event_ts) * 1000)::float8 AS event_ts_ms, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at_ms
           FROM events
          WHERE ($1::text IS NULL OR id COLLATE "C" > $1::text COLLATE "C") AND starts_with(id, $2::text)
          ORDER BY id COLLATE "C" LIMIT $3`,
        [query.afterId ?? null, query.prefix, query.limit],
      );
    return rows.map((r) => ({
      id: r.id,
      state: r.deleted ? null : r.state,
      deleted: r.deleted,
      version: Number(r.version),
      partition: r.partition,
      offset: Number(r.last_offset),
      ts: Math.round(r.event_ts_ms),
      ...(r.expires_at_ms === null ? {} : { expiresAt: Math.round(r.expires_at_ms) }),
    }));
  }
}
