/** Whether a @platformatic/kafka error, or one it aggregates, is the broker's `apiId` (e.g. TOPIC_ALREADY_EXISTS). */
export function isBrokerError(error: unknown, apiId: string): boolean {
  if (!(error instanceof Error)) return false;
  const { apiId: own, errors, cause } = error as Error & { apiId?: string; errors?: unknown[]; cause?: unknown };
  return own === apiId || (errors ?? []).some((e) => isBrokerError(e, apiId)) || isBrokerError(cause, apiId);
}
