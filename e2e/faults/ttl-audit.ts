import { type DatabaseProbe, waitFor } from '@async2/testing';
import type { AuditedTombstone } from '../workload/expiry-reference';

/**
 * The TTL IDs' evidence for the checker (expiry-reference.ts), recorded by the test's own triggers
 * in the pipeline's database, not by the apps: every tombstone committed to EVENTS and every OPLOG
 * write, each with its transaction. A flush writes its rows and OPLOG's next_offset in one
 * transaction, so a tombstone's next_offset is the boundary of the flush that swept it (records
 * before it folded before the sweep). Rolled-back flushes (a crash before COMMIT, a fenced zombie)
 * leave nothing here: the audit rows roll back with them.
 */
export async function installTtlAudit(probe: DatabaseProbe): Promise<void> {
  await probe.query(`
    CREATE TABLE ttl_audit (
      n bigserial PRIMARY KEY,
      tx bigint NOT NULL DEFAULT txid_current(),
      tx_start timestamptz NOT NULL DEFAULT now(),
      kind text NOT NULL,
      id text, version bigint, last_offset bigint, event_ts timestamptz,
      partition integer NOT NULL, next_offset bigint);
    CREATE INDEX ttl_audit_tx ON ttl_audit (tx);
    CREATE FUNCTION ttl_audit_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.deleted THEN
        INSERT INTO ttl_audit (kind, id, version, last_offset, event_ts, partition) VALUES ('tombstone', NEW.id, NEW.version, NEW.last_offset, NEW.event_ts, NEW.partition);
      END IF;
      RETURN NULL;
    END $$;
    CREATE FUNCTION ttl_audit_oplog() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO ttl_audit (kind, partition, next_offset) VALUES ('oplog', NEW.partition, NEW.next_offset);
      RETURN NULL;
    END $$;
    CREATE TRIGGER ttl_audit_events AFTER INSERT OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION ttl_audit_events();
    CREATE TRIGGER ttl_audit_oplog AFTER INSERT OR UPDATE ON oplog FOR EACH ROW EXECUTE FUNCTION ttl_audit_oplog();`);
}

/** Every committed tombstone with its flush's boundary (OPLOG.next_offset of its transaction). */
export async function auditedTombstones(probe: DatabaseProbe): Promise<AuditedTombstone[]> {
  const rows = await probe.query<{ n: string; id: string; partition: number; version: string; last_offset: string; event_ts: number; tx_start: number; boundary: string | null }>(
    `SELECT t.n::text, t.id, t.partition, t.version::text, t.last_offset::text,
            (extract(epoch FROM t.event_ts) * 1000)::float8 AS event_ts, (extract(epoch FROM t.tx_start) * 1000)::float8 AS tx_start,
            (SELECT max(o.next_offset) FROM ttl_audit o WHERE o.kind = 'oplog' AND o.tx = t.tx AND o.partition = t.partition)::text AS boundary
       FROM ttl_audit t WHERE t.kind = 'tombstone' ORDER BY t.n`,
  );
  return rows.map((r) => {
    if (r.boundary === null) throw new Error(`ttl audit: the tombstone of ${r.id} (version ${r.version}) was committed without an OPLOG write of partition ${r.partition} in its transaction: no flush boundary to place it at`);
    return {
      partition: r.partition,
      boundary: Number(r.boundary),
      order: Number(r.n),
      id: r.id,
      version: Number(r.version),
      lastOffset: Number(r.last_offset),
      eventTs: Math.round(r.event_ts),
      txStart: r.tx_start,
    };
  });
}

/** EVENTS.expires_at of the rows that have one (ms since the epoch). */
export async function storedExpiries(probe: DatabaseProbe): Promise<Map<string, number>> {
  const rows = await probe.query<{ id: string; expires_at: number }>(`SELECT id, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at FROM events WHERE expires_at IS NOT NULL`);
  return new Map(rows.map((r) => [r.id, Math.round(r.expires_at)]));
}

/**
 * The sweep is not driven by offsets (settle() does not wait for it): waits until no live row has
 * an expiry at all. The workload's ttlMs are at most 2 s, so every expiry is past within moments of
 * the load's end and must then be swept (TTL_SWEEP_INTERVAL_MS plus a flush); with no live expiry
 * left, no later sweep can change what the checker reads. Returns the moment (this clock, taken
 * before the last look) by which every expiry was past and swept.
 */
export async function waitForSweeps(probe: DatabaseProbe, timeoutMs = 30_000): Promise<number> {
  let lookedAt = Date.now();
  await waitFor(
    async () => {
      lookedAt = Date.now();
      const [{ n }] = await probe.query<{ n: string }>(`SELECT count(*)::text AS n FROM events WHERE NOT deleted AND expires_at IS NOT NULL`);
      return n === '0';
    },
    { timeoutMs, intervalMs: 200, what: 'the TTL sweep' },
  ).catch(async (error: Error) => {
    const live = await probe.query<{ id: string; partition: number; version: string; last_offset: string; expires_at: Date; updated_at: Date }>(
      `SELECT id, partition, version::text, last_offset::text, expires_at, updated_at FROM events WHERE NOT deleted AND expires_at IS NOT NULL ORDER BY expires_at LIMIT 10`,
    );
    throw new Error(
      `${error.message}: rows still live with an expiry ${timeoutMs} ms after the load (expires_at must be swept within TTL_SWEEP_INTERVAL_MS plus a flush once past): ` +
        live.map((r) => `${r.id} (partition ${r.partition}, version ${r.version}, last_offset ${r.last_offset}, written ${r.updated_at.toISOString()}) expires_at ${r.expires_at.toISOString()}`).join(', ') +
        ` (now ${new Date().toISOString()})`,
    );
  });
  return lookedAt;
}
