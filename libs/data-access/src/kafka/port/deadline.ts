/**
 * The work's own outcome if it settles within `ms`, else a rejection with `late()`'s error. The
 * work itself goes on (no client can take a request back off the wire): the caller decides what a
 * late outcome means, here always "unknown, replace the producer".
 */
export function withDeadline<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  work.catch(() => undefined); // a late failure has no one left to tell
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
