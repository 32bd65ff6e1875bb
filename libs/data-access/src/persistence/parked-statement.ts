import type { ParkedId, ParkedPlan } from '@async2/domain';
import type { QueryRunner } from 'typeorm';
import type { OplogKey } from './oplog.repository';

/*
 * The parked store's part of a flush (docs/parking.md), run in the flush's transaction right after
 * the flush statement matched our epoch (flush-writer.ts): that statement holds the OPLOG row lock
 * until COMMIT, so these writes are under the fence too, and commit or roll back with the rows and
 * the offset. Two statements, only when parking changed (rare): the deletes, then the writes
 * (PARKED_EVENTS rows of a cleared ID are deleted and may be written again in the same flush).
 *
 *   $1-$3 consumer group, topic, partition
 *   deletes: $4 IDs whose events are cleared (released), $5 IDs no longer parked
 *   writes:  $4 the parked IDs' headers (json array), $5 the events to add (json array)
 */
const DELETES = `WITH cleared AS (DELETE FROM parked_events WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND id = ANY($4::text[]))
DELETE FROM parked_ids WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND id = ANY($5::text[])`;

const WRITES = `WITH headers AS (INSERT INTO parked_ids AS p (consumer_group, topic, partition, id, reason, refused_offset, parked_at)
    SELECT $1, $2, $3, u.id, u.reason, u.refused_offset, to_timestamp(u.parked_at_ms / 1000.0)
    FROM json_to_recordset($4::json) AS u(id text, reason text, refused_offset bigint, parked_at_ms float8)
    ON CONFLICT (consumer_group, topic, partition, id) DO UPDATE SET reason = EXCLUDED.reason, refused_offset = EXCLUDED.refused_offset, parked_at = EXCLUDED.parked_at)
INSERT INTO parked_events (consumer_group, topic, partition, source_offset, id, event)
  SELECT $1, $2, $3, u.source_offset, u.id, u.event FROM json_to_recordset($5::json) AS u(source_offset bigint, id text, event json)`;

/** Writes a flush's parked changes inside its transaction (the caller checked the fence matched). */
export async function writeParked(runner: QueryRunner, key: OplogKey, partition: number, plan: ParkedPlan): Promise<void> {
  const where = [key.consumerGroup, key.topic, partition];
  if (plan.cleared.length > 0 || plan.removed.length > 0) await runner.query(DELETES, [...where, plan.cleared, plan.removed]);
  if (plan.parked.length === 0 && plan.events.length === 0) return;
  const headers = plan.parked.map((p) => ({ id: p.id, reason: p.reason, refused_offset: p.refusedOffset, parked_at_ms: p.parkedAt }));
  const events = plan.events.map((e) => ({ source_offset: e.offset, id: e.id, event: e.event }));
  await runner.query(WRITES, [...where, JSON.stringify(headers), JSON.stringify(events)]);
}

/**
 * Replaces a partition's whole parked store with `parked` (absolute state: a rebuild's swap, in its
 * fenced transaction after the fence statement matched; see events-shadow.ts).
 */
export async function replaceParked(runner: QueryRunner, key: OplogKey, partition: number, parked: readonly ParkedId[]): Promise<void> {
  const where = [key.consumerGroup, key.topic, partition];
  await runner.query('DELETE FROM parked_events WHERE consumer_group = $1 AND topic = $2 AND partition = $3', where);
  await runner.query('DELETE FROM parked_ids WHERE consumer_group = $1 AND topic = $2 AND partition = $3', where);
  if (parked.length === 0) return;
  const headers = parked.map((p) => ({ id: p.id, reason: p.reason, refused_offset: p.refusedOffset, parked_at_ms: p.parkedAt }));
  const events = parked.flatMap((p) => p.events.map((e) => ({ source_offset: e.offset, id: p.id, event: e.event })));
  await runner.query(WRITES, [...where, JSON.stringify(headers), JSON.stringify(events)]);
}
