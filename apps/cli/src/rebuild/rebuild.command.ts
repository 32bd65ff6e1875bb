import { EventsShadow, OplogRepository, ParkedRepository, type ReadStep, isCurrentClaim, readPartition } from '@async2/data-access';
import { hostname } from 'node:os';
import type { CliResources } from '../cli-resources';
import { EXIT, type ExitCode, UsageError } from '../command-line/exit-codes';
import type { CommandOutput } from '../output/command-output';
import { checkRebuildRange } from './rebuild-range';
import { FencedDuringRebuildError } from './rebuild-errors';
import { ShadowFold } from './shadow-fold';

/** OPLOG's owner while and after a rebuild holds a partition (status names such a partition). */
export const REBUILD_OWNER_PREFIX = 'async2-rebuild-';

/** Events folded between two writes of the shadow (and two checks of the fence). */
const SHADOW_FLUSH_EVENTS = 10_000;
const PROGRESS_EVERY_MS = 1000;

/**
 * `async2 rebuild --partition p [--from-offset o]`: checks the input against Kafka (changing
 * nothing when it is refused), claims the partition (epoch + 1: the owner is fenced and stops
 * writing it), folds the partition from `o` into a shadow table with the consumer's fold, follows
 * the end offset until caught up, then swaps the shadow in under the fence in one transaction.
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
  // The swap does not rewrite the parked store (docs/parking.md): a partition with parked IDs is refused before anything changes.
  const parked = await new ParkedRepository(db).list(key, partition);
  if (parked.length > 0) {
    throw new UsageError(`partition ${partition} has ${parked.length} parked ID(s) (${parked.slice(0, 3).map((p) => p.id).join(', ')}): replay or discard them first (async2 parked list); nothing was changed`, 'partition');
  }
  const oplog = new OplogRepository(db);
  const before = (await oplog.rows(key)).find((r) => r.partition === partition);
  const owner = `${REBUILD_OWNER_PREFIX}${hostname()}-${process.pid}`;
  const claim = await oplog.claim(key, partition, owner, { topicId, endOffset: range.endOffset });
  out.progress(
    `partition ${partition}: claimed with epoch ${claim.epoch}` +
      (before?.owner ? `: ${before.owner} (epoch ${before.epoch}) is fenced and stops writing this partition` : '') +
      `; OPLOG next_offset stays ${claim.nextOffset} until the swap`,
  );

  const shadow = new EventsShadow(db, partition, claim.epoch);
  try {
    const seeded = await shadow.create(fromOffset);
    if (fromOffset > 0) out.progress(`partition ${partition}: the shadow starts with the ${seeded} row(s) whose last event is below offset ${fromOffset}`);
    const fold = new ShadowFold(shadow, fromOffset, partitionCount, resources.settings.fold, claim.nextOffset);
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
    if (fold.parkedIds.length > 0) {
      throw new Error(`partition ${partition}: the fold parks ${fold.parkedIds.length} ID(s) (${fold.parkedIds.slice(0, 3).join(', ')}) that the parked store does not hold; the rebuild does not write the parked store, so nothing was changed (the shadow table is dropped)`);
    }
    const swapped = await shadow.swap(key, claim.epoch, fold.nextOffset, fold.producerMarks(), fold.verdicts);
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

function humanResult(
  r: { partition: number; fromOffset: number; nextOffset: number; epoch: number; owner: string; rowsBefore: number; rowsAfter: number; expiredIds: number; skippedRecords: number; skippedReasons: string[] },
  group: string,
): string {
  const lines = [
    `partition ${r.partition}: rebuilt from offset ${r.fromOffset} to ${r.nextOffset}: ${r.rowsAfter} row(s) now (${r.rowsBefore} before), swapped in one transaction under epoch ${r.epoch}.`,
    ...(r.expiredIds > 0 ? [`${r.expiredIds} ID(s) whose ttlMs passed were swept into tombstones, as the consumer's flush sweeps them.`] : []),
    `OPLOG (group ${group}) holds next_offset ${r.nextOffset}, owner ${r.owner}.`,
  ];
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
