import type { ParkedId } from '@async2/domain';

/*
 * The parked store as a rebuild from `fromOffset` starts it (docs/parking.md, "Parking and
 * `async2 rebuild`"). The stored rows are the consumer's parked state as of OPLOG's next_offset N
 * (they commit with it). Between `fromOffset` and N the state changed only by
 *   - new parkings, at a refused offset >= fromOffset: dropped here, the refold decides them again;
 *   - events kept after parked ones, at offsets >= fromOffset: cut here, the refold appends them;
 *   - releases (control records) in [fromOffset, N): a release of a parking that began before
 *     fromOffset deletes (or, replayed and refused again, rewrites) what the stored rows would need.
 * Without such a release the state below is exactly the consumer's at fromOffset; with one it is
 * not, and `inexactRelease` says so when the refold meets its control record.
 */

/**
 * The parked IDs at `fromOffset`, from the stored ones: those refused below it, each with its kept
 * events below it (kept events are in offset order, the refused one first).
 */
export function parkedAtOffset(stored: readonly ParkedId[], fromOffset: number): ParkedId[] {
  return stored.filter((p) => p.refusedOffset < fromOffset).map((p) => ({ ...p, events: p.events.filter((e) => e.offset < fromOffset) }));
}

/** A control record the refold meets: where it sits and the parking it answers. */
export interface FoldedRelease {
  id: string;
  offset: number;
  refusedOffset: number;
}

/**
 * Why the rebuild from `fromOffset` cannot reproduce the parked store exactly because of this
 * release, or undefined when it can. A control record at or after `storedNextOffset` is folded by
 * the refold on a state it rebuilt exactly (the stored rows do not reflect it yet), and one naming a
 * refused offset at or above `fromOffset` answers a parking the refold decides itself. One between
 * the two, naming a parking that began below `fromOffset`, may have released it (a stale one changes
 * nothing, but nothing stored tells which), so the stored rows no longer show the ID as it was at
 * `fromOffset`.
 */
export function inexactRelease(release: FoldedRelease, fromOffset: number, storedNextOffset: number): string | undefined {
  if (release.offset >= storedNextOffset || release.refusedOffset >= fromOffset) return undefined;
  return (
    `--from-offset ${fromOffset}: the control record at offset ${release.offset} releases ${JSON.stringify(release.id)} parked at offset ${release.refusedOffset}, ` +
    `before ${fromOffset}, and the parked store (as of offset ${storedNextOffset}) no longer holds that ID's parked state as of ${fromOffset}, so the rebuild cannot reproduce it. ` +
    `Rebuild from an offset at most ${release.refusedOffset} (--from-offset 0 is always exact)`
  );
}
