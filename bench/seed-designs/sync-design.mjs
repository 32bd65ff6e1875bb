// The seed's SYNC design: each request applies its events to EVENTS in its own transaction before it
// answers (visible at once). Read-modify-write, because merge and incr need the stored state:
// missing rows are created first (sorted, ON CONFLICT DO NOTHING, so two requests for a new ID
// cannot both insert it), then the rows are locked in ID order (no deadlock between requests),
// folded with the domain's applyEvent, and written back in one statement.
import { foldEvents, loadRecords, writeRecords } from './entity-rows.mjs';

export class SyncDesign {
  applied = 0;

  constructor(pool, lag) {
    this.pool = pool;
    this.lag = lag;
  }

  async start() {}

  async stop() {}

  /** Applies the stamped events, in order; resolves when they are committed. */
  async ingest(events) {
    const ids = [...new Set(events.map((e) => e.id))].sort();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO events (id, state, deleted, version, partition, last_offset, event_ts)
         SELECT id, NULL, false, 0, 0, -1, to_timestamp(0) FROM unnest($1::text[]) AS id ORDER BY id ON CONFLICT (id) DO NOTHING`,
        [ids],
      );
      const stored = await loadRecords(client, ids, { lock: true });
      await writeRecords(client, foldEvents(stored, events, (_e, i) => i));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    const now = Date.now();
    for (const e of events) this.lag.add(now - e.ts);
    this.applied += events.length;
  }
}
