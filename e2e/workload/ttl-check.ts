import { type CheckReport, type ObservedRow, tallyHistory } from './checker';
import type { ExpiryModelId } from './expiry-reference';
import type { WorkloadOp } from './workload';

/** What the run left of the TTL IDs besides their rows, and the moment every expiry before it is swept. */
export interface TtlObservation {
  /** EVENTS.expires_at of the rows that have one, ms since the epoch. */
  expiries: ReadonlyMap<string, number>;
  /** The pipeline waited until no live row had expired by then (ms, the checker's clock): such an ID must be a tombstone. */
  expiredBy: number;
}

type Entry = { op: WorkloadOp; status: 'ok' | 'info' | 'fail' };

/**
 * One TTL ID against the reference fold with expiry (expiry-reference.ts), exactly: its row holds
 * the applied eventIds of the reference in its order (each once, none refused or unsent, every
 * acknowledged one unless the reference rejects every copy), the reference's version (each expiry
 * one version with no eventId: a tombstone missing or applied twice shows here), state, liveness and
 * expiry; and an ID whose expiry passed before `expiredBy` is a tombstone (swept). The expiry's
 * findings count as ttl-mismatch; losses, duplicates, order and phantoms as for the tracked IDs.
 */
export function checkTtlId(id: string, entries: Entry[], row: ObservedRow | undefined, expected: ExpiryModelId | undefined, observed: TtlObservation, report: CheckReport, problem: (m: string) => void): void {
  const m: Pick<ExpiryModelId, 'version' | 'live' | 'state' | 'expiresAt' | 'applied'> = expected ?? { version: 0, live: false, state: null, applied: [] };
  const history = row?.recentEventIds ?? [];
  const { byEventId, times } = tallyHistory(id, history, entries, report, problem);
  for (const eventId of times.keys()) {
    const entry = byEventId.get(eventId);
    if (!entry || entry.status === 'fail') {
      report.phantoms++;
      problem(`phantom: ${id} event ${eventId} applied but ${entry ? 'it was refused (4xx)' : 'never sent'}`);
    } else if (!m.applied.includes(eventId)) {
      report.ttlMismatches++;
      problem(`ttl-mismatch: ${id} event ${eventId} is applied, but the reference fold with expiry applies no copy of it`);
    }
  }
  // Whatever reached Kafka and the reference applies must be applied, acknowledged or not (an info event in Kafka included).
  for (const { op, status } of entries) {
    if (!times.has(op.event.eventId!) && m.applied.includes(op.event.eventId!)) {
      report.lost++;
      problem(`lost: ${id} event ${op.event.eventId} (seq ${op.seq}, ${status}) is in Kafka and applied by the reference, but not applied`);
    }
  }
  const inBoth = (list: string[], other: Map<string, number> | string[]) => [...new Set(list)].filter((e) => (other instanceof Map ? other.has(e) : other.includes(e)));
  if (inBoth(history, m.applied).join('\u0000') !== inBoth(m.applied, times).join('\u0000')) {
    report.reordered++;
    problem(`reordered: ${id} applied ${JSON.stringify(history)}, Kafka order with expiry gives ${JSON.stringify(m.applied)}`);
  }
  const version = row?.version ?? 0;
  const live = row !== undefined && !row.deleted && row.state !== null;
  const expiresAt = live ? observed.expiries.get(id) : undefined;
  if (version !== m.version) {
    report.ttlMismatches++;
    problem(`ttl-mismatch: ${id} has version ${version}, the reference with expiry gives ${m.version} (${history.length} events applied: a tombstone missing or applied twice)`);
  }
  if (live !== m.live || canonical(live ? row!.state : null) !== canonical(m.live ? m.state : null)) {
    report.ttlMismatches++;
    problem(`ttl-mismatch: ${id} holds ${live ? canonical(row!.state) : 'no state (deleted)'}, the reference with expiry gives ${m.live ? canonical(m.state) : 'deleted'}`);
  }
  if (live && m.live && expiresAt !== m.expiresAt) {
    report.ttlMismatches++;
    problem(`ttl-mismatch: ${id} expires at ${expiresAt ?? 'never'}, the reference gives ${m.expiresAt ?? 'never'}`);
  }
  // The pipeline waited until every expiry before expiredBy was swept: an ID expired by then is a tombstone.
  const pastDue = [live ? expiresAt : undefined, m.live ? m.expiresAt : undefined].find((e) => e !== undefined && e <= observed.expiredBy);
  if (pastDue !== undefined) {
    report.ttlMismatches++;
    problem(`ttl-mismatch: ${id} expired at ${pastDue} and is still live at ${observed.expiredBy} (${live ? 'its row' : 'the reference: no sweep tombstone'})`);
  }
}

/** JSON with sorted keys: jsonb does not keep key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}
