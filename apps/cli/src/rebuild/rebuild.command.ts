import { EventsShadow, OplogRepository, ParkedRepository, type ReadStep, isCurrentClaim, partitionEndReader, readPartition } from '@async2/data-access';
import { hostname } from 'node:os';
import type { CliResources } from '../cli-resources';
import { EXIT, type ExitCode, UsageError } from '../command-line/exit-codes';
import type { CommandOutput } from '../output/command-output';
import { checkRebuildRange } from './rebuild-range';
import { FencedDuringRebuildError } from './rebuild-errors';
import { findInexactRelease } from './release-scan';
import { ShadowFold } from './shadow-fold';

/** OPLOG's owner while and after a rebuild holds a partition (status names such a partition). */
export const REBUILD_OWNER_PREFIX = 'async2-rebuild-';

/** Events folded between two writes of the shadow (and two checks of the fence). */
const SHADOW_FLUSH_EVENTS = 10_000;
const PROGRESS_EVERY_MS = 1000;
/** How long the claim, holding the partition's OPLOG row, waits for Kafka's end offset (the consumer's flush waits meanwhile). */
const CLAIM_END_TIMEOUT_MS = 5000;

/**
 * `async2 rebuild --partition p [--from-offset o]`: checks the input against Kafka (changing
 * nothing when it is refused), claims the partition (epoch + 1: the owner is fenced and stops
 * writing it), folds the partition from `o` into a shadow table with the consumer's fold (starting
 * from the parked IDs as of `o`, see parked-from-offset.ts), follows the end offset until caught up,
 * then swaps the shadow and the fold's parked IDs in under the fence in one transaction.
 */
export async function rebuildCommand(partition: number, fromOffset: number, resources: CliResources, out: CommandOutput, interrupted?: AbortSignal): Promise<ExitCode> {
  const { topic } = resources.settings.topics;
  const key = resources.oplogKey;
  const admin = await resources.admin();
  const partitionCount = await admin.partitionCount(topic);
  const [watermarks, topicId] = await Promise.all([admin.watermarks(topic), admin.topicId(topic)]);
  const starts = new Map([...watermarks].map(([p, w]) => [p, w.low]));
  const ends = new Map([...watermarks].map(([p, w]) => [p, w.high]));
  const range = checkRebuildRange({ topic, partition, partitionCount, fromOffset, logStart: starts.get(partition) ?? 0, endOffset: ends.get(partition) ?? 0 });

  const db = await resources.database();
  const oplog = new OplogRepository(db);
  const before = (await oplog.rows(key)).find((r) => r.partition === partition);
  // The parked state at fromOffset comes from the parked store (docs/parking.md): refused before the claim when it cannot.
  const inexact = await findInexactRelease(await resources.port(), { topic, partition, partitionCount, endOffset: range.endOffset }, fromOffset, before?.nextOffset ?? 0);
  if (inexact) throw new UsageError(`${inexact}; nothing was changed`, 'from-offset');
  const owner = `${REBUILD_OWNER_PREFIX}${hostname()}-${process.pid}`;
  // The end is read again under the claim's row lock: the consumer being fenced may have flushed past range.endOffset since.
  const claim = await oplog.claim(key, partition, owner, { topicId, endOffset: partitionEndReader(admin, topic, partition, CLAIM_END_TIMEOUT_MS) });
  out.progress(
    `partition ${partition}: claimed with epoch ${claim.epoch}` +
      (before?.owner ? `: ${before.owner} (epoch ${before.epoch}) is fenced and stops writing this partition` : '') +
      `; OPLOG next_offset stays ${claim.nextOffset} until the swap`,
  );
  // Read after the claim (which waited for the owner's last flush): the parked store is the state at claim.nextOffset.
  const parkedBefore = await new ParkedRepository(db).load(key, partition);

  const shadow = new EventsShadow(db, partition, claim.epoch);
  try {
    const seeded = await shadow.create(fromOffset);
    if (fromOffset > 0) out.progress(`partition ${partition}: the shadow starts with the ${seeded} row(s) whose last event is below offset ${fromOffset}`);
    const fold = new ShadowFold(shadow, fromOffset, partitionCount, resources.settings.fold, { nextOffset: claim.nextOffset, parked: parkedBefore });
    if (parkedBefore.length > 0) {
      out.progress(`partition ${partition}: the fold starts with ${fold.parkedIds.length} of the ${parkedBefore.length} stored parked ID(s) (those refused below offset ${fromOffset}, with their kept events below it)`);
    }
    const checkFence = async () => {
      const current = (await oplog.claims(key)).get(partition);
      if (!isCurrentClaim(claim.epoch, current)) throw new FencedDuringRebuildError(partition, claim.epoch, current);
    };
    let target = range.endOffset;
    let lastProgress = Date.now();
    const progress = () => {
      lastProgress = Date.now();
      const span = Math.max(1, target - fromOffset);
      out.progress(`partition ${partition}: folded to offset ${fold.nextOffset} of ${target} (${Math.floor((100 * (fold.nextOffset - fromOffset)) / span)}%), ${fold.rowsWritten} row(s) written to ${shadow.table}`);
    };
    // Caught up = the fold reached the end offset as Kafka reports it now; the topic may be growing.
    const caughtUp = async (): Promise<boolean> => {
      if (fold.nextOffset < target) return false;
      target = (await admin.endOffsets(topic)).get(partition) ?? target;
      return fold.nextOffset >= target;
    };
    if (!(await caughtUp())) {
      await readPartition(await resources.port(), topic, partition, fromOffset, async (records): Promise<ReadStep> => {
        if (interrupted?.aborted) throw new Error(`partition ${partition}: rebuild interrupted (SIGINT) at offset ${fold.nextOffset}`);
        fold.fold(records);
        if (fold.uncommittedEvents >= SHADOW_FLUSH_EVENTS) {
          await fold.flush();
          await checkFence();
        }
        if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) progress();
        return (await caughtUp()) ? 'done' : 'more';
      });
    }
    await fold.sweepAll();
    progress();
    const parked = fold.parkedState();
    const swapped = await shadow.swap(key, claim.epoch, { nextOffset: fold.nextOffset, marks: fold.producerMarks(), verdicts: fold.verdicts, parked });
    if (swapped.kind === 'fenced') throw new FencedDuringRebuildError(partition, claim.epoch, (await oplog.claims(key)).get(partition));
    const result = {
      partition,
      fromOffset,
      nextOffset: fold.nextOffset,
      epoch: claim.epoch,
      owner,
      rowsBefore: swapped.removed,
      rowsAfter: swapped.written,
      expiredIds: fold.expired,
      parkedBefore: parkedBefore.map((p) => p.id),
      parkedAfter: parked.map((p) => ({ id: p.id, refusedOffset: p.refusedOffset, events: p.events.length })),
      skippedRecords: fold.skipped.count,
      skippedReasons: fold.skipped.reasons,
    };
    out.result(humanResult(result, resources.settings.consumerGroup), result);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof FencedDuringRebuildError) throw error;
    // The claim stands: the partition's consumer is fenced although EVENTS and next_offset are unchanged.
    (error as Error).message += `. EVENTS and OPLOG's next_offset of partition ${partition} are unchanged; its consumer was fenced by the rebuild's claim: restart it to resume at offset ${claim.nextOffset}`;
    throw error;
  } finally {
    await shadow.drop().catch(() => undefined);
  }
}

interface RebuildResult {
  partition: number;
  fromOffset: number;
  nextOffset: number;
  epoch: number;
  owner: string;
  rowsBefore: number;
  rowsAfter: number;
  expiredIds: number;
  parkedBefore: string[];
  parkedAfter: Array<{ id: string; refusedOffset: number; events: number }>;
  skippedRecords: number;
  skippedReasons: string[];
}

function humanResult(r: RebuildResult, group: string): string {
  const parked = r.parkedAfter.map((p) => `${p.id} (refused at ${p.refusedOffset}, ${p.events} kept)`);
  const lines = [
    `partition ${r.partition}: rebuilt from offset ${r.fromOffset} to ${r.nextOffset}: ${r.rowsAfter} row(s) now (${r.rowsBefore} before), ${r.parkedAfter.length} parked ID(s) (${r.parkedBefore.length} before), swapped in one transaction under epoch ${r.epoch}.`,
    ...(r.expiredIds > 0 ? [`${r.expiredIds} ID(s) whose ttlMs passed were swept into tombstones, as the consumer's flush sweeps them.`] : []),
    `OPLOG (group ${group}) holds next_offset ${r.nextOffset}, owner ${r.owner}.`,
  ];
  if (parked.length > 0) lines.push(`Parked: ${parked.slice(0, 5).join(', ')}${parked.length > 5 ? `, and ${parked.length - 5} more` : ''} (async2 parked list).`);
  if (r.skippedRecords > 0) {
    lines.push(`${r.skippedRecords} record(s) skipped as the consumer skips them (poison, misplaced, or refused by the fold; not sent to the DLQ again): ${r.skippedReasons.join('; ')}`);
  }
  lines.push(
    'How the consumer resumes: the instance that owned this partition was fenced and writes nothing more to it. Restart it',
    '(on Kubernetes its liveness probe does, FENCED_LIVENESS_GRACE_MS after the fence): its claim takes epoch ' + (r.epoch + 1) + ' and it resumes at offset ' + r.nextOffset + '.',
    'Change-stream subscribers do not see the rebuild (a corrected row can keep its version): start them afresh from a snapshot.',
  );
  return lines.join('\n');
}
