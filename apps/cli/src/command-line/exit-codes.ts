/**
 * What `async2` exits with (docs/operations.md, "The operator CLI"). Scripts branch on these, so a
 * code keeps its meaning once published.
 */
export const EXIT = {
  /** Done as asked. */
  ok: 0,
  /** Could not do it: Kafka or PostgreSQL unreachable, a query failed, the claim was refused. */
  failure: 1,
  /** Bad input (unknown command or flag, malformed value, unknown partition, an offset Kafka no longer holds): nothing was changed. */
  usage: 2,
  /** Another instance claimed the partition while the command held it (the epoch fence): its work was rolled back, nothing was changed. */
  fenced: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad input, found before anything was changed: exit 2 with this message. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  readonly retriable = false;

  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
