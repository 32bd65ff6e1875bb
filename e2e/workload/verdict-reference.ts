import type { EventCondition } from '@async2/domain';
import type { TopicRecord } from './checker';

/** A verdict as the checker compares it: what the fold decided and the version it saw. */
export interface CheckedVerdict {
  outcome: 'applied' | 'rejected';
  seenVersion: number;
  duplicate: boolean;
}

/** A VERDICTS row as the probe reads it (`copy` rows answer with their first copy's verdict). */
export interface StoredVerdictRow {
  partition: number;
  offset: number;
  outcome: 'applied' | 'rejected' | 'copy';
  seenVersion: number | null;
  duplicate: boolean;
  src: string;
  seq: number | null;
}

export interface VerdictReference {
  /** The verdict every conditional record must have, by `partition:offset` (second copies: their first copy's). */
  at: Map<string, CheckedVerdict>;
  /** eventIds of conditional events that no copy applied (rejected, or duplicates only): not lost when missing. */
  neverApplied: Set<string>;
  /**
   * By `id\0eventId`, the offset of the record that applied it: for a conditional event retried after
   * an unknown outcome, a later copy than the first (the first was rejected), so Kafka order is its.
   */
  appliedAt: Map<string, number>;
  /** eventIds of events whose every copy the operator discarded (parked, then replayed without the refused one): never applied. */
  discardedOnly: Set<string>;
}

/**
 * The reference fold of the topic in Kafka order, written apart from the consumer's code on purpose:
 * per partition, records in offset order; a record whose producer identity (src, seq) is at or below
 * the highest applied from its producer is a second copy (it answers with its first copy's verdict);
 * an eventId already applied to the ID is a duplicate (applied, changing nothing); otherwise a
 * condition decides on the ID's version (events applied, deletes included) and liveness. A record
 * at a `discarded` position (`partition:offset`: a refused event the operator replayed its ID
 * without, see docs/parking.md) counts as seen (its producer identity) but applies nothing; if
 * conditional, it is rejected at the version its ID had.
 */
export function referenceVerdicts(topic: readonly TopicRecord[], discarded: ReadonlySet<string> = new Set()): VerdictReference {
  const at = new Map<string, CheckedVerdict>();
  const applied = new Set<string>();
  const appliedAt = new Map<string, number>();
  const conditional = new Set<string>();
  const discardedIds = new Set<string>();
  const ids = new Map<string, { version: number; live: boolean; eventIds: Set<string> }>();
  const marks = new Map<string, number>();
  const first = new Map<string, CheckedVerdict>();
  const ordered = [...topic].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const { partition, offset, event } of ordered) {
    const position = `${partition}:${offset}`;
    const identity = `${partition}\u0000${event.src}\u0000${event.seq}`;
    if (event.seq !== undefined) {
      const mark = marks.get(`${partition}\u0000${event.src}`) ?? -1;
      if (event.seq <= mark) {
        const original = first.get(identity);
        if (event.condition && original) at.set(position, original);
        continue;
      }
      marks.set(`${partition}\u0000${event.src}`, event.seq);
    }
    const state = ids.get(event.id) ?? { version: 0, live: false, eventIds: new Set<string>() };
    ids.set(event.id, state);
    const seen = state.version;
    let verdict: CheckedVerdict;
    if (event.eventId !== undefined && state.eventIds.has(event.eventId)) verdict = { outcome: 'applied', seenVersion: seen, duplicate: true };
    else if (event.condition && !holds(event.condition, state)) verdict = { outcome: 'rejected', seenVersion: seen, duplicate: false };
    else if (discarded.has(position)) {
      verdict = { outcome: 'rejected', seenVersion: seen, duplicate: false };
      if (event.eventId !== undefined) discardedIds.add(event.eventId);
    } else {
      verdict = { outcome: 'applied', seenVersion: seen, duplicate: false };
      state.version++;
      state.live = event.op !== 'delete';
      if (event.eventId !== undefined) {
        state.eventIds.add(event.eventId);
        applied.add(event.eventId);
        appliedAt.set(`${event.id}\u0000${event.eventId}`, offset);
      }
    }
    if (!event.condition) continue;
    if (event.eventId !== undefined) conditional.add(event.eventId);
    at.set(position, verdict);
    first.set(identity, verdict);
  }
  const notApplied = (eventIds: Set<string>) => new Set([...eventIds].filter((e) => !applied.has(e)));
  return { at, neverApplied: notApplied(conditional), appliedAt, discardedOnly: notApplied(discardedIds) };
}

function holds(condition: EventCondition, state: { version: number; live: boolean }): boolean {
  if ('version' in condition) return state.version === condition.version;
  if ('absent' in condition) return !state.live;
  return state.live;
}

/** A stored row's verdict, its copy resolved through the first copy's row; undefined when it cannot be. */
export function resolveStoredVerdicts(rows: readonly StoredVerdictRow[]): Map<string, CheckedVerdict | undefined> {
  const byIdentity = new Map<string, CheckedVerdict>();
  const own = (r: StoredVerdictRow): CheckedVerdict => ({ outcome: r.outcome as CheckedVerdict['outcome'], seenVersion: r.seenVersion ?? -1, duplicate: r.duplicate });
  for (const r of rows) if (r.outcome !== 'copy') byIdentity.set(`${r.partition}\u0000${r.src}\u0000${r.seq}`, own(r));
  return new Map(rows.map((r) => [`${r.partition}:${r.offset}`, r.outcome === 'copy' ? byIdentity.get(`${r.partition}\u0000${r.src}\u0000${r.seq}`) : own(r)]));
}
