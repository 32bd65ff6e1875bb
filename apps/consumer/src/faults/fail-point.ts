/**
 * Fail points: places in the consumer where a fault test can make the process die (SIGKILL, no
 * cleanup) at an exact moment, the way a crash would. Inert unless FAIL_POINT names one.
 *
 *   FAIL_POINT=after-upsert      die the first time a flush has upserted its rows but not committed
 *   FAIL_POINT=after-upsert@3    ... the third time
 *   FAIL_POINT=after-publish     die after the change relay published, before it deleted the outbox rows
 */
export const FAIL_POINT_NAMES = ['before-flush', 'after-upsert', 'after-commit', 'during-claim', 'after-publish'] as const;
export type FailPointName = (typeof FAIL_POINT_NAMES)[number];

export interface FailPointSpec {
  name: FailPointName;
  /** Dies on this pass (1 = the first time the point is reached). */
  onPass: number;
}

/** Parses `name` or `name@n`; returns an error message for anything else. */
export function parseFailPoint(raw: string): FailPointSpec | string {
  const match = /^([a-z-]+)(?:@(\d{1,6}))?$/.exec(raw.trim());
  const name = match?.[1] as FailPointName | undefined;
  if (!match || !name || !FAIL_POINT_NAMES.includes(name)) return `must be one of ${FAIL_POINT_NAMES.join(', ')}, optionally followed by @<pass>`;
  const onPass = match[2] === undefined ? 1 : Number(match[2]);
  if (onPass < 1) return 'the pass after @ must be 1 or more';
  return { name, onPass };
}

/** Counts passes through each point and kills the process on the configured one. */
export class FailPoints {
  private readonly passes = new Map<FailPointName, number>();

  constructor(
    private readonly spec: FailPointSpec | undefined,
    private readonly die: (point: FailPointName) => void = killThisProcess,
  ) {}

  reach(point: FailPointName): void {
    if (this.spec?.name !== point) return;
    const pass = (this.passes.get(point) ?? 0) + 1;
    this.passes.set(point, pass);
    if (pass === this.spec.onPass) this.die(point);
  }
}

function killThisProcess(point: FailPointName): void {
  process.stderr.write(`FAIL_POINT ${point} reached: killing this process (SIGKILL)\n`);
  process.kill(process.pid, 'SIGKILL');
}
