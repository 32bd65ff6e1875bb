import { type EntityRecord, type JsonObject, type StampedEvent, applyEvent, emptyRecord } from '@async2/domain';
import type { Attempt } from './history';
import { type AuditedTombstone, type ExpiryReference, referenceExpiry } from './expiry-reference';
import { type TtlObservation, checkTtlId } from './ttl-check';
import { type CheckedVerdict, type StoredVerdictRow, type VerdictReference, referenceVerdicts, resolveStoredVerdicts } from './verdict-reference';
import type { WorkloadOp } from './workload';

/** An EVENTS row as the checker needs it. */
export interface ObservedRow {
  version: number;
  state: JsonObject | null;
  deleted: boolean;
  recentEventIds: string[];
}

/** A record read back from the topic. */
export interface TopicRecord {
  partition: number;
  offset: number;
  event: StampedEvent;
}

export interface CheckInput {
  attempts: readonly Attempt[];
  rows: ReadonlyMap<string, ObservedRow>;
  topic: readonly TopicRecord[];
  /**
   * VERDICTS as stored at the end, and each position's verdict as first seen by snapshots taken
   * during the run (across consumer kills, fail points, zombies). Omitted: verdicts are not checked
   * (conditional events are still judged applied or not by the reference fold of the topic).
   */
  verdicts?: { final: readonly StoredVerdictRow[]; firstSeen?: ReadonlyMap<string, CheckedVerdict | undefined> };
  /**
   * Parking (docs/parking.md): the positions (`partition:offset`) of the refused events the
   * operator replayed their IDs without (`replay?skip=refused`), and the IDs still parked at the
   * end (none may be: their kept events would be acknowledged and not applied).
   */
  parking?: { discarded: ReadonlySet<string>; stillParked: readonly string[] };
  /**
   * For TTL IDs (ttl-check.ts): the tombstones committed during the run (the sweeps' positions, which
   * receive times cannot tell), the rows' expiries, and the moment every expiry before it was swept.
   * Omitted while the workload has TTL IDs: they are counted unverifiable.
   */
  ttl?: TtlObservation & { tombstones: readonly AuditedTombstone[] };
}

export interface CheckReport {
  /** Ops by what the client learned (an op retried until ok counts once, as ok). */
  acked: number;
  info: number;
  failed: number;
  /** Events applied, as EVENTS shows them. */
  applied: number;
  /** Acknowledged but not applied. */
  lost: number;
  /** Applied more than once. */
  duplicated: number;
  /** Applied out of Kafka order (tracked IDs). */
  reordered: number;
  /** Counter fields outside [sum(ok), sum(ok) + sum(info)]. */
  countersOutOfRange: number;
  /** Tracked IDs whose stored state differs from their applied history folded in order. */
  stateMismatches: number;
  /** Applied although refused (4xx) or never sent, or applied without being in Kafka. */
  phantoms: number;
  /** Acknowledged positions that do not hold the acknowledged event in Kafka. */
  ackMismatches: number;
  /** Tracked IDs whose history cannot be checked (more events than DEDUPE_WINDOW keeps). */
  unverifiable: number;
  /** Acknowledged conditional events whose verdict was checked. */
  verdicts: number;
  /**
   * Acknowledged conditional events with no verdict, or one unlike the reference fold's, or one that
   * changed during the run; conditional events applied although the reference rejects every copy.
   */
  verdictMismatches: number;
  /** Tracked IDs that were parked and released by a replay without the refused event. */
  parkedIds: number;
  /** Refused events the operator discarded; each must be refused by a fold of its ID in Kafka order. */
  discarded: number;
  /** Applied out of Kafka order, over the parked-then-replayed IDs only (also counted in reordered). */
  parkedReordered: number;
  /** Discarded events that the ID's state at their place in Kafka order would have applied, or IDs still parked at the end. */
  wronglyParked: number;
  /**
   * TTL IDs: sweep tombstones checked (legal where they were committed), those of them a lagging
   * consumer made before folding a write received before the expiry, and expiries found by a write.
   */
  expired: number;
  sweptAhead: number;
  expiredAtWrite: number;
  /** TTL IDs whose version, state, liveness or expiry differ from the reference fold with expiry, or tombstones it cannot explain. */
  ttlMismatches: number;
  problems: string[];
  ok: boolean;
}

const MAX_PROBLEMS = 25;

/**
 * Checks a run exactly, per event: every ok event applied once, info events at most once, fail
 * events never, per-ID order = Kafka order, counters within [sum(ok), sum(ok) + sum(info)], and
 * every acknowledged position holding that event in Kafka. Pure: the caller reads EVENTS and the topic.
 */
export function checkHistory(input: CheckInput): CheckReport {
  const report: CheckReport = {
    acked: 0, info: 0, failed: 0, applied: 0, lost: 0, duplicated: 0, reordered: 0,
    countersOutOfRange: 0, stateMismatches: 0, phantoms: 0, ackMismatches: 0, unverifiable: 0, verdicts: 0, verdictMismatches: 0,
    parkedIds: 0, discarded: input.parking?.discarded.size ?? 0, parkedReordered: 0, wronglyParked: 0, expired: 0, sweptAhead: 0, expiredAtWrite: 0, ttlMismatches: 0, problems: [], ok: true,
  };
  const problem = (message: string) => {
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(message);
  };
  const ops = summariseOps(input.attempts);
  for (const { status } of ops.values()) report[status === 'ok' ? 'acked' : status === 'info' ? 'info' : 'failed']++;

  checkAcknowledgedPositions(input, report, problem);
  const reference = referenceVerdicts(input.topic, input.parking?.discarded);
  const discardedById = discardedEvents(input, report, problem);
  const expiry = ttlReference(input, ops, reference, report, problem);
  if (input.verdicts) checkVerdicts(input, reference, report, problem);
  const byId = new Map<string, Array<{ op: WorkloadOp; status: OpStatus }>>();
  for (const entry of ops.values()) {
    const list = byId.get(entry.op.event.id) ?? [];
    list.push(entry);
    byId.set(entry.op.event.id, list);
  }
  const kafkaOffsets = new Map<string, number>();
  for (const r of input.topic) {
    const key = `${r.event.id}\u0000${r.event.eventId ?? ''}`;
    if (r.event.eventId !== undefined && !kafkaOffsets.has(key)) kafkaOffsets.set(key, r.offset);
  }
  // The copy that applied, where the reference fold knows it (a retried conditional event's first copy may have been rejected).
  for (const [key, offset] of reference.appliedAt) kafkaOffsets.set(key, offset);
  for (const [id, entries] of byId) {
    const row = input.rows.get(id);
    if (entries[0].op.kind === 'tracked') checkTrackedId(id, entries, row, kafkaOffsets, reference, discardedById.get(id) ?? [], report, problem);
    else if (entries[0].op.kind === 'ttl') {
      if (expiry && input.ttl) checkTtlId(id, entries, row, expiry.ids.get(id), input.ttl, report, problem);
    } else checkCounterId(id, entries, row, report, problem);
  }
  report.ok =
    report.lost + report.duplicated + report.reordered + report.countersOutOfRange + report.stateMismatches + report.phantoms + report.ackMismatches + report.unverifiable + report.verdictMismatches + report.wronglyParked + report.ttlMismatches ===
    0;
  return report;
}

/** The checker's one-line verdict, e.g. `acked=812 info=3 fail=0 applied=814 lost=0 duplicated=0 reordered=0 ...`. */
export function formatReport(r: CheckReport): string {
  return (
    `acked=${r.acked} info=${r.info} fail=${r.failed} applied=${r.applied} lost=${r.lost} duplicated=${r.duplicated} reordered=${r.reordered} ` +
    `counters-out-of-range=${r.countersOutOfRange} state-mismatch=${r.stateMismatches} phantom=${r.phantoms} ack-mismatch=${r.ackMismatches} unverifiable=${r.unverifiable} verdicts=${r.verdicts} verdict-mismatch=${r.verdictMismatches} ` +
    `parked=${r.parkedIds} discarded=${r.discarded} parked-reordered=${r.parkedReordered} wrongly-parked=${r.wronglyParked} ` +
    `expired=${r.expired} swept-ahead=${r.sweptAhead} expired-at-write=${r.expiredAtWrite} ttl-mismatch=${r.ttlMismatches}`
  );
}

type OpStatus = 'ok' | 'info' | 'fail';

/**
 * Counts an ID's applied history (`recent_event_ids`): every entry as applied, every eventId in it
 * more than once as duplicated; returns the ID's ops by eventId and how often each was applied.
 */
export function tallyHistory(
  id: string,
  history: readonly string[],
  entries: ReadonlyArray<{ op: WorkloadOp; status: OpStatus }>,
  report: CheckReport,
  problem: (m: string) => void,
): { byEventId: Map<string, { op: WorkloadOp; status: OpStatus }>; times: Map<string, number> } {
  report.applied += history.length;
  const byEventId = new Map(entries.map((e) => [e.op.event.eventId!, e]));
  const times = new Map<string, number>();
  for (const eventId of history) times.set(eventId, (times.get(eventId) ?? 0) + 1);
  for (const [eventId, n] of times) {
    if (n > 1) {
      report.duplicated += n - 1;
      problem(`duplicated: ${id} event ${eventId} applied ${n} times`);
    }
  }
  return { byEventId, times };
}

/**
 * The TTL IDs' reference fold with expiry (expiry-reference.ts): their verdicts replace the plain
 * reference's (which knows no expiry) before verdicts are checked; its audit findings are
 * ttl-mismatches. Without the run's tombstones (input.ttl) the TTL IDs cannot be checked: unverifiable.
 */
function ttlReference(input: CheckInput, ops: Map<number, { op: WorkloadOp; status: OpStatus }>, reference: VerdictReference, report: CheckReport, problem: (m: string) => void): ExpiryReference | undefined {
  const ttlIds = new Set([...ops.values()].filter((e) => e.op.kind === 'ttl').map((e) => e.op.event.id));
  if (ttlIds.size === 0) return undefined;
  if (!input.ttl) {
    report.unverifiable += ttlIds.size;
    problem(`unverifiable: ${ttlIds.size} TTL IDs, but no tombstones audited (the sweeps' positions): pass CheckInput.ttl`);
    return undefined;
  }
  const expiry = referenceExpiry(input.topic, ttlIds, input.ttl.tombstones);
  for (const [position, verdict] of expiry.verdicts) reference.at.set(position, verdict);
  report.expired += expiry.swept;
  report.sweptAhead += expiry.sweptAhead;
  report.expiredAtWrite += expiry.expiredAtWrite;
  report.ttlMismatches += expiry.problems.length;
  for (const p of expiry.problems) problem(p);
  return expiry;
}

/** ok if any attempt was acknowledged, else info if any outcome was unknown, else fail. */
function summariseOps(attempts: readonly Attempt[]): Map<number, { op: WorkloadOp; status: OpStatus }> {
  const ops = new Map<number, { op: WorkloadOp; status: OpStatus }>();
  const rank: Record<OpStatus, number> = { fail: 0, info: 1, ok: 2 };
  for (const { op, outcome } of attempts) {
    const seen = ops.get(op.index);
    if (!seen || rank[outcome.type] > rank[seen.status]) ops.set(op.index, { op, status: outcome.type });
  }
  return ops;
}

function checkAcknowledgedPositions(input: CheckInput, report: CheckReport, problem: (m: string) => void): void {
  const at = new Map(input.topic.map((r) => [`${r.partition}:${r.offset}`, r.event]));
  for (const { op, outcome } of input.attempts) {
    if (outcome.type !== 'ok') continue;
    const stored = at.get(`${outcome.partition}:${outcome.offset}`);
    const same = stored && stored.id === op.event.id && stored.op === op.event.op && stored.eventId === op.event.eventId && JSON.stringify(stored.data) === JSON.stringify(op.event.data);
    if (!same) {
      report.ackMismatches++;
      problem(`ack-mismatch: op ${op.index} (${op.event.id}) acknowledged at ${outcome.partition}:${outcome.offset}, which holds ${stored ? JSON.stringify(stored) : 'nothing'}`);
    }
  }
}

/**
 * Every acknowledged conditional event has exactly one verdict at its acknowledged position (one row
 * per position by VERDICTS' key; a second copy's through its first copy's), equal to the reference
 * fold's, and the same as every snapshot taken during the run saw it.
 */
function checkVerdicts(input: CheckInput, reference: VerdictReference, report: CheckReport, problem: (m: string) => void): void {
  const stored = resolveStoredVerdicts(input.verdicts!.final);
  const same = (a: CheckedVerdict | undefined, b: CheckedVerdict | undefined) => a !== undefined && b !== undefined && a.outcome === b.outcome && a.seenVersion === b.seenVersion && a.duplicate === b.duplicate;
  const checked = new Set<string>();
  for (const { op, outcome } of input.attempts) {
    if (outcome.type !== 'ok' || !op.event.condition) continue;
    const position = `${outcome.partition}:${outcome.offset}`;
    if (checked.has(position)) continue;
    checked.add(position);
    report.verdicts++;
    const expected = reference.at.get(position);
    const actual = stored.get(position);
    if (!same(expected, actual)) {
      report.verdictMismatches++;
      problem(`verdict-mismatch: op ${op.index} (${op.event.id}) at ${position} has verdict ${JSON.stringify(actual) ?? 'none'}, the reference fold of the topic gives ${JSON.stringify(expected)}`);
    }
  }
  for (const [position, seen] of input.verdicts!.firstSeen ?? []) {
    const now = stored.get(position);
    if (seen !== undefined && !same(seen, now)) {
      report.verdictMismatches++;
      problem(`verdict-mismatch: the verdict at ${position} changed during the run: ${JSON.stringify(seen)} then ${JSON.stringify(now) ?? 'none'}`);
    }
  }
}

/** The discarded records by ID, in Kafka order; a discarded position that holds no event of the run is a problem, and so is an ID still parked. */
function discardedEvents(input: CheckInput, report: CheckReport, problem: (m: string) => void): Map<string, TopicRecord[]> {
  const byId = new Map<string, TopicRecord[]>();
  if (!input.parking) return byId;
  const at = new Map(input.topic.map((r) => [`${r.partition}:${r.offset}`, r]));
  for (const position of input.parking.discarded) {
    const record = at.get(position);
    if (!record) {
      report.wronglyParked++;
      problem(`wrongly-parked: the operator discarded the refused event at ${position}, which holds no event`);
      continue;
    }
    byId.set(record.event.id, [...(byId.get(record.event.id) ?? []), record]);
  }
  for (const records of byId.values()) records.sort((a, b) => a.offset - b.offset);
  for (const id of input.parking.stillParked) {
    report.wronglyParked++;
    problem(`wrongly-parked: ${id} is still parked at the end: its kept events are not applied`);
  }
  return byId;
}

function checkTrackedId(
  id: string,
  entries: Array<{ op: WorkloadOp; status: OpStatus }>,
  row: ObservedRow | undefined,
  kafkaOffsets: Map<string, number>,
  reference: VerdictReference,
  discarded: readonly TopicRecord[],
  report: CheckReport,
  problem: (m: string) => void,
): void {
  if (discarded.length > 0) report.parkedIds++;
  const history = row?.recentEventIds ?? [];
  if (row && row.version !== history.length) {
    report.unverifiable++;
    problem(`unverifiable: ${id} has version ${row.version} but ${history.length} remembered eventIds (raise DEDUPE_WINDOW above the events per ID)`);
    return;
  }
  const { byEventId, times } = tallyHistory(id, history, entries, report, problem);
  for (const eventId of times.keys()) {
    const entry = byEventId.get(eventId);
    if (reference.neverApplied.has(eventId)) {
      report.verdictMismatches++;
      problem(`verdict-mismatch: ${id} event ${eventId} is applied, but the reference fold rejects every copy of it (its condition never held)`);
    }
    if (reference.discardedOnly.has(eventId)) {
      report.phantoms++;
      problem(`phantom: ${id} event ${eventId} applied although the operator discarded every copy of it`);
    }
    if (!entry || entry.status === 'fail') {
      report.phantoms++;
      problem(`phantom: ${id} event ${eventId} applied but ${entry ? 'it was refused (4xx)' : 'never sent'}`);
    }
  }
  for (const { op, status } of entries) {
    // A conditional event the reference fold rejected is acknowledged and rightly not applied.
    // So is one the operator discarded (parked at it, then replayed without it).
    if (status === 'ok' && !times.has(op.event.eventId!) && !reference.neverApplied.has(op.event.eventId!) && !reference.discardedOnly.has(op.event.eventId!)) {
      report.lost++;
      problem(`lost: ${id} event ${op.event.eventId} (seq ${op.seq}) was acknowledged but is not applied`);
    }
  }
  let previous = -1;
  for (const eventId of history) {
    const offset = kafkaOffsets.get(`${id}\u0000${eventId}`);
    if (offset === undefined) {
      report.phantoms++;
      problem(`phantom: ${id} event ${eventId} applied but not found in Kafka`);
      continue;
    }
    if (offset < previous) {
      report.reordered++;
      if (discarded.length > 0) report.parkedReordered++;
      problem(`reordered: ${id} event ${eventId} (offset ${offset}) applied after offset ${previous}`);
    }
    previous = Math.max(previous, offset);
  }
  const expected = foldHistory(id, history, byEventId, kafkaOffsets, discarded, report, problem);
  const actualState = row && !row.deleted ? row.state : null;
  if (canonical(expected.deleted ? null : expected.state) !== canonical(actualState) || expected.deleted !== (row?.deleted ?? false)) {
    report.stateMismatches++;
    problem(`state-mismatch: ${id} holds ${canonical(actualState)} (deleted=${row?.deleted}), its history folds to ${canonical(expected.state)} (deleted=${expected.deleted})`);
  }
}

/**
 * The state an ID must hold: its applied events, in the applied order, each once. The events the
 * operator discarded are tried at their place in Kafka order (before the first applied event of a
 * later offset): each must be refused there, or the consumer parked the ID for nothing.
 */
function foldHistory(
  id: string,
  history: string[],
  byEventId: Map<string, { op: WorkloadOp }>,
  kafkaOffsets: Map<string, number>,
  discarded: readonly TopicRecord[],
  report: CheckReport,
  problem: (m: string) => void,
): EntityRecord {
  const record = emptyRecord(id, 0);
  const seen = new Set<string>();
  let nextDiscarded = 0;
  const tryDiscarded = (upTo: number) => {
    for (; nextDiscarded < discarded.length && discarded[nextDiscarded].offset < upTo; nextDiscarded++) {
      const { offset, event } = discarded[nextDiscarded];
      const probe = structuredClone(record);
      const outcome = applyEvent(probe, { ...event, ts: 0 }, offset, Number.MAX_SAFE_INTEGER);
      if (outcome.kind !== 'rejected') {
        report.wronglyParked++;
        problem(`wrongly-parked: ${id} was parked at offset ${offset} (${JSON.stringify(event)}), which its state there ${canonical(record.state)} would have taken (${outcome.kind})`);
      }
    }
  };
  for (const eventId of history) {
    const op = byEventId.get(eventId)?.op;
    if (!op || seen.has(eventId)) continue;
    seen.add(eventId);
    tryDiscarded(kafkaOffsets.get(`${id}\u0000${eventId}`) ?? Number.MAX_SAFE_INTEGER);
    // The history holds only applied events: their conditions held, so they apply as they are.
    const event = { ...op.event, ts: 0, src: 'checker' };
    delete event.condition;
    applyEvent(record, event, 0, Number.MAX_SAFE_INTEGER);
  }
  tryDiscarded(Number.MAX_SAFE_INTEGER);
  return record;
}

function checkCounterId(id: string, entries: Array<{ op: WorkloadOp; status: OpStatus }>, row: ObservedRow | undefined, report: CheckReport, problem: (m: string) => void): void {
  const state = row && !row.deleted ? (row.state ?? {}) : {};
  const fields = new Map<string, Array<{ op: WorkloadOp; status: OpStatus }>>();
  for (const entry of entries) {
    const field = entry.op.counter!.field;
    fields.set(field, [...(fields.get(field) ?? []), entry]);
  }
  let bitsSet = 0;
  for (const key of Object.keys(state)) {
    if (!fields.has(key)) {
      report.phantoms++;
      problem(`phantom: ${id} has field ${key} that no event wrote`);
    }
  }
  for (const [field, list] of fields) {
    const raw = state[field];
    const value = typeof raw === 'number' ? raw : 0;
    let okSum = 0;
    let infoSum = 0;
    let explained = 0;
    for (const { op, status } of list) {
      const amount = op.counter!.amount;
      const applied = Math.floor(value / amount) % 2 === 1;
      if (status === 'ok') okSum += amount;
      if (status === 'info') infoSum += amount;
      if (applied) {
        explained += amount;
        bitsSet++;
        if (status === 'fail') {
          report.phantoms++;
          problem(`phantom: ${id}.${field} includes ${amount} from op ${op.index}, which was refused (4xx)`);
        }
      } else if (status === 'ok') {
        report.lost++;
        problem(`lost: ${id}.${field} lacks ${amount} from op ${op.index} (seq ${op.seq}), which was acknowledged`);
      }
    }
    if (value !== explained) {
      // Bits that no op of this field owns: only a double apply (a carry) can set them.
      problem(`counter: ${id}.${field} = ${value} is not a sum of distinct events (${explained} explained)`);
    }
    if (value < okSum || value > okSum + infoSum) {
      report.countersOutOfRange++;
      problem(`counter-out-of-range: ${id}.${field} = ${value}, outside [${okSum}, ${okSum + infoSum}]`);
    }
  }
  report.applied += row?.version ?? 0;
  const version = row?.version ?? 0;
  // Every applied incr counts one version; distinct powers of two set one bit each unless one was applied twice.
  if (version > bitsSet) {
    report.duplicated += version - bitsSet;
    problem(`duplicated: ${id} has version ${version} but only ${bitsSet} distinct events in its counters`);
  } else if (version < bitsSet) {
    report.phantoms++;
    problem(`phantom: ${id} has version ${version} but ${bitsSet} events in its counters`);
  }
}

/** JSON with sorted keys: jsonb does not keep key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}
