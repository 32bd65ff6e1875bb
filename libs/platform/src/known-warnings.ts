/**
 * kafkajs 2.2.4 sometimes arms a timer with a negative delay (its request-queue scheduling),
 * which Node 24+ reports as TimeoutNegativeWarning and clamps to 1 ms: harmless, and loud in
 * logs. This hides that one warning and keeps Node's default printing for every other.
 */
export function hideKnownKafkajsWarnings(): void {
  const defaults = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const listener of defaults) listener(warning);
  });
}
