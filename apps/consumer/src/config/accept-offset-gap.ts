/**
 * ACCEPT_OFFSET_GAP: the operator's decision to move a stopped partition past a gap in its offsets,
 * as `<partition>:<offset>[,<partition>:<offset>...]`, where <offset> is the first offset Kafka still
 * has after the gap (readiness and the log name it as `resumeAt`). Returns the map, or the problem.
 */
export function parseAcceptOffsetGap(raw: string | undefined): Map<number, number> | string {
  const accepted = new Map<number, number>();
  if (raw === undefined || raw.trim() === '') return accepted;
  for (const item of raw.split(',').map((s) => s.trim())) {
    const match = /^(\d{1,5}):(\d{1,15})$/.exec(item);
    if (!match) return `must be <partition>:<offset>[,<partition>:<offset>...] (the first offset after the gap, as readiness names it), got ${JSON.stringify(item)}`;
    const partition = Number(match[1]);
    if (accepted.has(partition)) return `names partition ${partition} twice`;
    accepted.set(partition, Number(match[2]));
  }
  return accepted;
}
