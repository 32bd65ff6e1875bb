import { writeSync } from 'node:fs';
/**
 * Fail points: places in the consumer where a fault test can make the process die (SIGKILL, no
 * cleanup) at an exact moment, the way a crash would. Inert unless FAIL_POINT names one.
 *
 * The flush's crash windows (PartitionLane.flush, FlushWriter; the fold goes on while a flush runs,
 * so at each of them records past the flush's plan may be folded too):
 *   before-flush   a flush starts: nothing of it is written yet
 *   after-upsert   its one statement ran (OPLOG fenced and advanced, rows, outbox, marks), no COMMIT:
 *                  the transaction is open and holds the OPLOG row lock
 *   after-commit   COMMIT succeeded, the lane has not marked the plan clean yet
 *
 *   FAIL_POINT=after-upsert         die the first time a flush has upserted its rows but not committed
 *   FAIL_POINT=after-upsert@3       ... the third time
 *   FAIL_POINT=after-upsert@3:stop  freeze instead (SIGSTOP: a zombie holding its open transaction)
 *   FAIL_POINT=after-publish        die after the change relay published, before it deleted the outbox rows
 *   FAIL_POINT=before-publish@2:stop  freeze once the relay has read its rows (under its OPLOG lock), before it publishes them
 */
export const FAIL_POINT_NAMES = ['before-flush', 'after-upsert', 'after-commit', 'during-claim', 'before-publish', 'after-publish'] as const;
export type FailPointName = (typeof FAIL_POINT_NAMES)[number];

export interface FailPointSpec {
  name: FailPointName;
  /** Acts on this pass (1 = the first time the point is reached). */
  onPass: number;
  /** kill: SIGKILL (a crash); stop: SIGSTOP (frozen until someone sends SIGCONT). */
  action: 'kill' | 'stop';
}

/** Parses `name[@n][:kill|:stop]`; returns an error message for anything else. */
export function parseFailPoint(raw: string): FailPointSpec | string {
  const match = /^([a-z-]+)(?:@(\d{1,6}))?(?::(kill|stop))?$/.exec(raw.trim());
  const name = match?.[1] as FailPointName | undefined;
  if (!match || !name || !FAIL_POINT_NAMES.includes(name)) return `must be one of ${FAIL_POINT_NAMES.join(', ')}, optionally followed by @<pass> and :kill or :stop`;
  const onPass = match[2] === undefined ? 1 : Number(match[2]);
  if (onPass < 1) return 'the pass after @ must be 1 or more';
  return { name, onPass, action: (match[3] as 'kill' | 'stop' | undefined) ?? 'kill' };
}

/** Counts passes through each point and kills (or freezes) the process on the configured one. */
export class FailPoints {
  private readonly passes = new Map<FailPointName, number>();

  constructor(
    private readonly spec: FailPointSpec | undefined,
    private readonly act: (point: FailPointName, action: FailPointSpec['action']) => void = signalThisProcess,
  ) {}

  reach(point: FailPointName): void {
    if (this.spec?.name !== point) return;
    const pass = (this.passes.get(point) ?? 0) + 1;
    this.passes.set(point, pass);
    if (pass === this.spec.onPass) this.act(point, this.spec.action);
  }
}

function signalThisProcess(point: FailPointName, action: FailPointSpec['action']): void {
  const signal = action === 'kill' ? 'SIGKILL' : 'SIGSTOP';
  writeBeforeSignal(`FAIL_POINT ${point} reached: ${action === 'kill' ? 'killing' : 'freezing'} this process (${signal})\n`);
  process.kill(process.pid, signal);
}

/**
 * Writes the line to stderr before the signal lands. process.stderr.write queues the line when the
 * pipe is full (a test harness reading slowly under load), and SIGSTOP or SIGKILL would then take it
 * with the process: the fault suite looks for this line. A full non-blocking pipe answers EAGAIN;
 * retried for up to 5 s, then given up (the signal matters more than the line).
 */
function writeBeforeSignal(line: string): void {
  const bytes = Buffer.from(line);
  const giveUpAt = Date.now() + 5000;
  let written = 0;
  while (written < bytes.length && Date.now() < giveUpAt) {
    try {
      written += writeSync(process.stderr.fd, bytes, written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}
