import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long the fold of one fetched batch runs before it lets the event loop run its I/O callbacks. */
export const FOLD_SLICE_MS = 5;
/** Records folded between two looks at the clock. */
const CHECK_EVERY = 64;

/**
 * Folds a long fetched batch in slices. A flush runs beside the fold on the same thread: each of its
 * round trips (the pool, BEGIN, the statement, COMMIT) resumes only when the event loop is free, so
 * one that answers while a 10,000-record batch folds waits for the whole batch (~60 ms measured
 * here, up to 140 ms). Called once per folded record, it answers a promise to await every
 * `sliceMs` of folding (the next turn of the event loop, after its I/O callbacks), and otherwise
 * nothing. Awaiting it is safe where the fold already awaits: between two records, with the
 * buffer consistent.
 */
export function foldSlices(sliceMs = FOLD_SLICE_MS, now: () => number = () => performance.now(), turn: () => Promise<void> = () => nextTurn()): () => Promise<void> | undefined {
  let sliceStart = now();
  let folded = 0;
  return () => {
    if (++folded % CHECK_EVERY !== 0 || now() - sliceStart < sliceMs) return undefined;
    return turn().then(() => {
      sliceStart = now();
    });
  };
}
