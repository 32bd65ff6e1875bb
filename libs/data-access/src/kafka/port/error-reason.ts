const MAX_REASONS = 6;

/**
 * An error's message with the reasons under it: a client may wrap the broker's answer (a failed
 * SASL handshake, a refused connection) in an error of its own whose message says only which call
 * failed ("Listing topics failed."), with the cause in `cause` or, for an AggregateError, in
 * `errors`. The messages are joined outermost first, each once.
 */
export function errorReason(error: unknown): string {
  const reasons: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown): void => {
    if (!(e instanceof Error) || seen.has(e) || reasons.length >= MAX_REASONS) return;
    seen.add(e);
    const message = e.message.trim();
    if (message && !reasons.includes(message)) reasons.push(message);
    for (const inner of (e as Error & { errors?: unknown[] }).errors ?? []) visit(inner);
    visit(e.cause);
  };
  visit(error);
  return reasons.length > 0 ? reasons.join(': ') : String(error);
}
