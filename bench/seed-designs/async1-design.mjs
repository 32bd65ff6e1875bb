// The seed's ASYNC1 design: a request inserts its events into STAGING_EVENTS (one statement) and
// answers; a job every second takes every staged event, folds them in timestamp order (the domain's
// applyEvent) onto the stored rows, upserts the changed rows into EVENTS, deletes what it folded and
// advances its progress in OPLOG, all in one transaction. One job, so nothing else writes EVENTS.
// The design's known gap, kept as the seed describes it: an event whose insert commits after a
// fold that already took later timestamps is folded after them.
import { setTimeout as sleep } from 'node:timers/promises';
import { foldEvents, loadRecords, writeRecords } from './entity-rows.mjs';

const GROUP = 'async1';
const MAX_PER_FOLD = 200_000;

export class Async1Design {
  applied = 0;
  running = true;

  constructor(pool, lag, { intervalMs = 1000 } = {}) {
    this.pool = pool;
    this.lag = lag;
    this.intervalMs = intervalMs;
  }

  async start() {
    await this.pool.query(`CREATE TABLE staging_events (seq bigserial PRIMARY KEY, id text NOT NULL, op text NOT NULL, data jsonb, event_id text, ts timestamptz NOT NULL)`);
    await this.pool.query(`INSERT INTO oplog (consumer_group, topic, partition, next_offset, epoch, owner) VALUES ($1, 'staging_events', 0, 0, 1, 'async1-job')`, [GROUP]);
    this.job = this.loop();
  }

  async stop() {
    this.running = false;
    await this.job;
  }

  async ingest(events) {
    await this.pool.query(
      `INSERT INTO staging_events (id, op, data, event_id, ts)
       SELECT id, op, data, event_id, to_timestamp(ts / 1000.0) FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::text[], $5::float8[]) AS u(id, op, data, event_id, ts)`,
      [events.map((e) => e.id), events.map((e) => e.op), events.map((e) => (e.data === undefined ? null : JSON.stringify(e.data))), events.map((e) => e.eventId ?? null), events.map((e) => e.ts)],
    );
  }

  async loop() {
    while (this.running) {
      const started = Date.now();
      let folded = 0;
      try {
        folded = await this.foldOnce();
      } catch (error) {
        console.error(`async1 fold failed: ${error.message}`);
      }
      if (folded < MAX_PER_FOLD) await sleep(Math.max(0, this.intervalMs - (Date.now() - started)));
    }
  }

  /** One fold transaction; returns how many staged events it folded. */
  async foldOnce() {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `SELECT seq::text AS seq, id, op, data, event_id, (extract(epoch FROM ts) * 1000)::float8 AS ts FROM staging_events ORDER BY ts, seq LIMIT ${MAX_PER_FOLD}`,
      );
      if (rows.length === 0) {
        await client.query('ROLLBACK');
        return 0;
      }
      const events = rows.map((r) => ({ id: r.id, op: r.op, ...(r.data === null ? {} : { data: r.data }), ...(r.event_id === null ? {} : { eventId: r.event_id }), ts: r.ts, src: 'async1', seq: Number(r.seq) }));
      const stored = await loadRecords(client, [...new Set(events.map((e) => e.id))].sort());
      await writeRecords(client, foldEvents(stored, events, (e) => e.seq));
      await client.query('DELETE FROM staging_events WHERE seq = ANY($1::bigint[])', [rows.map((r) => r.seq)]);
      await client.query(`UPDATE oplog SET next_offset = next_offset + $2, updated_at = now() WHERE consumer_group = $1 AND topic = 'staging_events' AND partition = 0`, [GROUP, rows.length]);
      await client.query('COMMIT');
      const now = Date.now();
      for (const e of events) this.lag.add(now - e.ts);
      this.applied += rows.length;
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
