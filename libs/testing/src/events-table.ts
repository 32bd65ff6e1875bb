import type { EntityRecord } from '@async2/domain';
import { Client } from 'pg';

/** A row of EVENTS as the fold's record (tombstones included). */
export type EventsTableRow = EntityRecord;

/** Reads EVENTS and OPLOG directly, as an operator would with psql. */
export class DatabaseProbe {
  private constructor(private readonly client: Client) {}

  static async connect(url: string): Promise<DatabaseProbe> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new DatabaseProbe(client);
  }

  async eventsTable(): Promise<Map<string, EventsTableRow>> {
    const { rows } = await this.client.query(
      `SELECT id, state, deleted, version::text, partition, last_offset::text, (extract(epoch FROM event_ts) * 1000)::float8 AS ts, recent_event_ids FROM events`,
    );
    return new Map(
      rows.map((r) => [
        r.id,
        { id: r.id, state: r.state, deleted: r.deleted, version: Number(r.version), partition: r.partition, lastOffset: Number(r.last_offset), eventTs: Math.round(r.ts), recentEventIds: r.recent_event_ids },
      ]),
    );
  }

  async oplog(topic: string): Promise<Map<number, { nextOffset: number; epoch: number; owner: string }>> {
    const { rows } = await this.client.query(`SELECT partition, next_offset::text, epoch::text, owner FROM oplog WHERE topic = $1`, [topic]);
    return new Map(rows.map((r) => [r.partition, { nextOffset: Number(r.next_offset), epoch: Number(r.epoch), owner: r.owner }]));
  }

  /** Any other read, on the probe's connection: the rows as PostgreSQL returns them. */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(sql, params)).rows as T[];
  }

  /** Changes committed but not yet published to the change topic. */
  async changeOutboxSize(): Promise<number> {
    const { rows } = await this.client.query('SELECT count(*)::text AS n FROM change_outbox');
    return Number(rows[0].n);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
