import { type EntityRecord, type EventCondition, type JsonObject, type StampedEvent, applyEvent, emptyRecord } from '@async2/domain';
import type { TopicRecord } from './checker';
import type { CheckedVerdict } from './verdict-reference';

/**
 * A tombstone committed to EVENTS, as the fault pipeline's audit trigger saw it (ttl-audit.ts): the
 * row as written (deleted), and the OPLOG next_offset written by the same transaction (the flush's
 * boundary: the records of its partition before it were folded before the flush, the rest after).
 */
export interface AuditedTombstone {
  /** Source partition of the ID, and OPLOG.next_offset of the flush that wrote the tombstone. */
  partition: number;
  boundary: number;
  /** Audit order: commit order among the flushes of one partition. */
  order: number;
  id: string;
  version: number;
  lastOffset: number;
  /** EVENTS.event_ts of the tombstone and the start of its transaction (now()), ms since the epoch. */
  eventTs: number;
  txStart: number;
}

/** What the reference says one TTL ID must hold at the end. */
export interface ExpiryModelId {
  version: number;
  live: boolean;
  state: JsonObject | null;
  expiresAt?: number;
  /** eventIds applied, in the applied order (the ID's recent_event_ids, DEDUPE_WINDOW permitting). */
  applied: string[];
  lastOffset: number;
  /** Set by a sweep until the ID's next record: the expiry swept (to count sweeps ahead of a write received before it). */
  sweptExpiry?: number;
  /** The reference's state fold, for the state; version, liveness and expiry are the model's own. */
  record: EntityRecord;
}

export interface ExpiryReference {
  ids: Map<string, ExpiryModelId>;
  /** Verdicts of the TTL IDs' conditional records, by `partition:offset` (second copies: their first copy's). */
  verdicts: Map<string, CheckedVerdict>;
  /** Sweep tombstones audited and found legal (the ID live with an expiry at its flush's boundary). */
  swept: number;
  /** Sweeps followed by a record of the ID received before the swept expiry: the consumer lagged, and only the audit could place them. */
  sweptAhead: number;
  /** Expiries an applied write found (its receive time at or after the expiry): one version each, swept or not. */
  expiredAtWrite: number;
  /** Audited tombstones the reference cannot explain: neither a delete's write nor a legal sweep. */
  problems: string[];
}

/**
 * The reference fold of the TTL IDs, with expiry, written apart from the consumer's code on purpose
 * (as verdict-reference.ts is). Time has two sources, and both are needed:
 *
 * - the events' receive times `ts`: an event received at or after the ID's expiry finds it expired
 *   (absent, one version more) whether or not it was swept; a write then revives it from nothing;
 * - the consumer's sweeps, which run by the consumer's clock at flush boundaries. A consumer that
 *   lags more than an expiry's remainder sweeps the ID before folding a write received before the
 *   expiry (the documented price of the consumer's clock): that write then revives instead of
 *   updating, and conditions judge it differently. Receive times cannot tell when that happened;
 *   the audit of committed tombstones can, exactly: each sweep tombstone is placed at its flush's
 *   boundary, and must be legal there: the ID live with an expiry, one version more, its event_ts
 *   the expiry, committed in a transaction that started at or after the expiry.
 *
 * Records are taken per partition in offset order; a record whose producer identity (src, seq) is
 * at or below the highest seen from its producer on the partition is a second copy and answers with
 * its first copy's verdict; an eventId already applied to the ID is a duplicate (no expiry made,
 * but its verdict sees the expired ID as a condition would).
 */
export function referenceExpiry(topic: readonly TopicRecord[], ttlIds: ReadonlySet<string>, tombstones: readonly AuditedTombstone[]): ExpiryReference {
  const result: ExpiryReference = { ids: new Map(), verdicts: new Map(), swept: 0, sweptAhead: 0, expiredAtWrite: 0, problems: [] };
  const model = (id: string): ExpiryModelId => {
    let m = result.ids.get(id);
    if (!m) {
      m = { version: 0, live: false, state: null, applied: [], lastOffset: -1, record: emptyRecord(id, 0) };
      result.ids.set(id, m);
    }
    return m;
  };
  const byPartition = new Map<number, TopicRecord[]>();
  for (const r of topic) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  const sweepsBy = new Map<number, AuditedTombstone[]>();
  for (const t of tombstones) if (ttlIds.has(t.id)) sweepsBy.set(t.partition, [...(sweepsBy.get(t.partition) ?? []), t]);
  for (const partition of new Set([...byPartition.keys(), ...sweepsBy.keys()])) {
    const records = [...(byPartition.get(partition) ?? [])].sort((a, b) => a.offset - b.offset);
    const sweeps = [...(sweepsBy.get(partition) ?? [])].sort((a, b) => a.boundary - b.boundary || a.order - b.order);
    const marks = new Map<string, number>();
    const first = new Map<string, CheckedVerdict>();
    let nextSweep = 0;
    const sweepUpTo = (offset: number) => {
      for (; nextSweep < sweeps.length && sweeps[nextSweep].boundary <= offset; nextSweep++) applyTombstone(model(sweeps[nextSweep].id), sweeps[nextSweep], result);
    };
    for (const { offset, event } of records) {
      sweepUpTo(offset);
      const identity = `${event.src}\u0000${event.seq}`;
      if (event.seq !== undefined) {
        const mark = marks.get(event.src) ?? -1;
        if (event.seq <= mark) {
          const original = first.get(identity);
          if (event.condition && original && ttlIds.has(event.id)) result.verdicts.set(`${partition}:${offset}`, original);
          continue;
        }
        marks.set(event.src, event.seq);
      }
      if (!ttlIds.has(event.id)) continue;
      const verdict = foldRecord(model(event.id), event, offset, result);
      if (!event.condition) continue;
      result.verdicts.set(`${partition}:${offset}`, verdict);
      first.set(identity, verdict);
    }
    sweepUpTo(Number.POSITIVE_INFINITY);
  }
  return result;
}

/** One record of a TTL ID, in Kafka order: its verdict, and the model moved on when it applies. */
function foldRecord(m: ExpiryModelId, event: StampedEvent, offset: number, result: ExpiryReference): CheckedVerdict {
  if (m.sweptExpiry !== undefined && event.ts < m.sweptExpiry) result.sweptAhead++;
  delete m.sweptExpiry;
  const expiredNow = m.live && m.expiresAt !== undefined && m.expiresAt <= event.ts;
  const seen = { version: m.version + (expiredNow ? 1 : 0), live: m.live && !expiredNow };
  if (event.eventId !== undefined && m.applied.includes(event.eventId)) return { outcome: 'applied', seenVersion: seen.version, duplicate: true };
  if (event.condition && !holds(event.condition, seen)) return { outcome: 'rejected', seenVersion: seen.version, duplicate: false };
  if (expiredNow) {
    expire(m);
    result.expiredAtWrite++;
  }
  const plain: StampedEvent = { ...event, ts: 0, src: 'expiry-reference' };
  delete plain.condition;
  delete plain.ttlMs;
  delete plain.eventId;
  applyEvent(m.record, plain, 0, 1);
  m.version++;
  m.live = event.op !== 'delete';
  m.state = m.live ? m.record.state : null;
  if (event.op === 'delete') delete m.expiresAt;
  else if (event.ttlMs !== undefined) m.expiresAt = event.ts + event.ttlMs;
  if (event.eventId !== undefined) m.applied.push(event.eventId);
  m.lastOffset = offset;
  return { outcome: 'applied', seenVersion: seen.version, duplicate: false };
}

/** An audited tombstone at its flush's boundary: a legal sweep (applied to the model), a delete's own write, or a problem. */
function applyTombstone(m: ExpiryModelId, t: AuditedTombstone, result: ExpiryReference): void {
  if (m.live && m.expiresAt !== undefined && t.version === m.version + 1 && t.lastOffset === m.lastOffset) {
    if (t.eventTs !== m.expiresAt || t.txStart < m.expiresAt) {
      result.problems.push(
        `ttl-mismatch: ${t.id} swept at version ${t.version} (partition ${t.partition}, flush up to offset ${t.boundary}) with event_ts ${t.eventTs} in a transaction started at ${t.txStart}, but it expires at ${m.expiresAt}`,
      );
    }
    m.sweptExpiry = m.expiresAt;
    expire(m);
    result.swept++;
    return;
  }
  // The write of an ID already deleted (by a delete, at its flush): the model holds that tombstone.
  if (!m.live && t.version === m.version && t.lastOffset === m.lastOffset) return;
  result.problems.push(
    `ttl-mismatch: ${t.id} written as a tombstone at version ${t.version} (last offset ${t.lastOffset}, flush up to offset ${t.boundary}), ` +
      `but there the reference has it ${m.live ? 'live' : 'deleted'} at version ${m.version} (last offset ${m.lastOffset}, expiry ${m.expiresAt ?? 'none'}): neither a sweep nor a delete`,
  );
}

/** The ID's tombstone after its expiry: one version, absent, no expiry, state forgotten (a revival starts from nothing). */
function expire(m: ExpiryModelId): void {
  m.version++;
  m.live = false;
  m.state = null;
  delete m.expiresAt;
  m.record = emptyRecord(m.record.id, 0);
}

function holds(condition: EventCondition, seen: { version: number; live: boolean }): boolean {
  if ('version' in condition) return seen.version === condition.version;
  if ('absent' in condition) return !seen.live;
  return seen.live;
}
