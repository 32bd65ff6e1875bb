import { OplogRepository, ParkedRepository } from '@async2/data-access';
import type { CliResources } from '../cli-resources';
import { EXIT, type ExitCode } from '../command-line/exit-codes';
import type { CommandOutput } from '../output/command-output';
import { REBUILD_OWNER_PREFIX } from '../rebuild/rebuild.command';
import { renderTable } from '../output/table';
import { type ConsumerLanes, readConsumers } from './consumer-lanes';
import { type PartitionStatus, partitionStatuses } from './partition-status';

const STATE_NOTES: Record<string, string> = {
  gap: 'records below the log start were removed before they were applied: the owner stops there (docs/operations.md, "A gap in a partition\'s offsets")',
  'beyond-end': 'OPLOG is beyond the end of the partition: every claim is refused (docs/operations.md, "OPLOG does not match the topic")',
  'topic-changed': 'OPLOG was folded from another topic of this name: every claim is refused (docs/operations.md, "OPLOG does not match the topic")',
};

/** `async2 status`: OPLOG (database) + offsets (Kafka) per partition, and each named consumer's /metrics. */
export async function statusCommand(consumers: readonly URL[], resources: CliResources, out: CommandOutput): Promise<ExitCode> {
  const { topic } = resources.settings.topics;
  const admin = await resources.admin();
  const partitionCount = await admin.partitionCount(topic);
  const db = await resources.database(); // once: two first uses at the same time would each open it
  const [watermarks, topicId, oplog, lanes, parkedIds] = await Promise.all([
    admin.watermarks(topic),
    admin.topicId(topic),
    new OplogRepository(db).rows(resources.oplogKey),
    readConsumers(consumers),
    new ParkedRepository(db).list(resources.oplogKey),
  ]);
  const parked = new Map<number, string[]>();
  for (const p of parkedIds) parked.set(p.partition, [...(parked.get(p.partition) ?? []), p.id]);
  const startOffsets = new Map([...watermarks].map(([p, w]) => [p, w.low]));
  const endOffsets = new Map([...watermarks].map(([p, w]) => [p, w.high]));
  const partitions = partitionStatuses({ topic, topicId, consumerGroup: resources.settings.consumerGroup, partitionCount, startOffsets, endOffsets, oplog, consumers: lanes, parked });
  const data = { topic, topicId, consumerGroup: resources.settings.consumerGroup, partitions, consumers: lanes.map(consumerJson) };
  out.result(humanStatus(data.topic, topicId, data.consumerGroup, partitions, lanes), data);
  return EXIT.ok;
}

function consumerJson(c: ConsumerLanes): object {
  return { url: c.url, ...(c.error ? { error: c.error } : {}), lanes: Object.fromEntries(c.lanes), paused: c.paused };
}

/** The parked IDs of a partition in a cell: the count, and the first three (async2 parked list shows all). */
function parkedCell(parked: readonly string[]): string {
  if (parked.length === 0) return '0';
  return `${parked.length}: ${parked.slice(0, 3).join(',')}${parked.length > 3 ? ',...' : ''}`;
}

function humanStatus(topic: string, topicId: string, group: string, partitions: PartitionStatus[], consumers: ConsumerLanes[]): string {
  const dash = (v: number | string | null) => (v === null ? '-' : String(v));
  const header = ['PARTITION', 'OWNER', 'EPOCH', 'COMMITTED', 'LOG START', 'END', 'LAG', 'LAST CHANGE', 'STATE', 'PARKED'];
  if (consumers.length > 0) header.push('LANES (from /metrics)');
  const rows = partitions.map((p) => {
    const row = [String(p.partition), dash(p.owner), dash(p.epoch), dash(p.committedOffset), String(p.logStartOffset), String(p.endOffset), dash(p.lag), p.lastChange?.toISOString() ?? '-', p.state, parkedCell(p.parked)];
    if (consumers.length > 0) row.push(p.lanes.map((l) => `${l.consumer} ${l.lane}`).join(', ') || 'none');
    return row;
  });
  const lines = [`topic ${topic} (id ${topicId}), consumer group ${group}, ${partitions.length} partitions`, '', renderTable(header, rows)];
  const notes = partitions.flatMap((p) => [
    ...(STATE_NOTES[p.state] ? [`partition ${p.partition}: ${STATE_NOTES[p.state]}`] : []),
    ...(p.owner?.startsWith(REBUILD_OWNER_PREFIX) ? [`partition ${p.partition}: last claimed by async2 rebuild; no consumer writes it until one claims it again (restart the fenced one)`] : []),
  ]);
  if (notes.length > 0) lines.push('', ...notes);
  if (consumers.length > 0) {
    const consumerRows = consumers.map((c) =>
      c.error ? [c.url, '-', '-', '-', '-', `unreadable: ${c.error}`] : [c.url, [...c.lanes.keys()].join(',') || 'none', String(c.paused.fenced), String(c.paused.offsetGap), String(c.paused.bufferFull), ''],
    );
    lines.push('', renderTable(['CONSUMER', 'LANES', 'FENCED', 'AT GAP', 'PAUSED (buffer full)', 'NOTE'], consumerRows));
  }
  return lines.join('\n');
}
