import type { WorkloadOp } from './workload';

/**
 * What the client learned about one request, as Jepsen records it:
 * ok = acknowledged (with its write position), fail = definitely refused (4xx: nothing published),
 * info = unknown (timeout, 5xx, connection error: it may or may not have been published).
 */
export type Outcome =
  | { type: 'ok'; partition: number; offset: number }
  | { type: 'fail'; status: number; message: string }
  | { type: 'info'; reason: string };

export interface Attempt {
  op: WorkloadOp;
  outcome: Outcome;
}

/** Every attempt of every op, in the order the answers arrived. A retry is another attempt of the same op. */
export class History {
  readonly attempts: Attempt[] = [];

  record(op: WorkloadOp, outcome: Outcome): void {
    this.attempts.push({ op, outcome });
  }

  counts(): { ok: number; fail: number; info: number } {
    const c = { ok: 0, fail: 0, info: 0 };
    for (const a of this.attempts) c[a.outcome.type]++;
    return c;
  }
}
