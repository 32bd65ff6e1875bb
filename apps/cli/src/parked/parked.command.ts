import { EventsRepository, OplogRepository, ParkedAdmin, ParkedRepository, type ParkedRequest, type ParkedSummary, type RecordSender } from '@async2/data-access';
import type { ParkedAction } from '@async2/domain';
import type { CliResources } from '../cli-resources';
import { EXIT, type ExitCode } from '../command-line/exit-codes';
import type { CommandOutput } from '../output/command-output';
import { renderTable } from '../output/table';

/** How long `parked replay|discard` waits for the partition's owner to commit the outcome. */
const APPLY_WAIT_MS = 30_000;
const POLL_MS = 200;

export type ParkedInvocation =
  | { command: 'parked list'; partition?: number }
  | { command: 'parked show'; id: string }
  | { command: 'parked replay'; id: string; skipRefused: boolean }
  | { command: 'parked discard'; id: string };

/** `async2 parked list|show|replay|discard` (docs/parking.md), on the same ParkedAdmin as the admin endpoint. */
export async function parkedCommand(invocation: ParkedInvocation, resources: CliResources, out: CommandOutput): Promise<ExitCode> {
  const db = await resources.database();
  const { topic } = resources.settings.topics;
  const partitionCount = await (await resources.admin()).partitionCount(topic);
  let sender: RecordSender | undefined;
  const admin = new ParkedAdmin(new ParkedRepository(db), resources.oplogKey, partitionCount, async () => (sender ??= (await resources.port()).sender({ sendTimeoutMs: 10_000 })));
  try {
    switch (invocation.command) {
      case 'parked list': {
        const parked = await admin.list(invocation.partition);
        out.result(humanList(parked), { parked });
        return EXIT.ok;
      }
      case 'parked show': {
        const found = await admin.show(invocation.id);
        const rows = found.kept.map((k) => [String(k.offset), k.event.op, k.event.eventId ?? '-', short(JSON.stringify(k.event.data ?? null))]);
        out.result([`${found.id}: parked on partition ${found.partition} at offset ${found.refusedOffset} since ${found.parkedAt.toISOString()}: ${found.reason}`, '', renderTable(['OFFSET', 'OP', 'EVENT ID', 'DATA'], rows)].join('\n'), found);
        return EXIT.ok;
      }
      default: {
        const action: ParkedAction = invocation.command === 'parked discard' ? 'discard' : invocation.skipRefused ? 'skip-refused' : 'replay';
        const request = await admin.request(invocation.id, action, 'async2-cli');
        out.progress(`partition ${request.partition}: ${action} of ${request.id} (${request.events} kept events) sent at offset ${request.offset}; waiting for the owner to apply it`);
        return await awaitOutcome(request, resources, out);
      }
    }
  } finally {
    await sender?.close().catch(() => undefined);
  }
}

/** Waits until OPLOG passes the control record (the owner committed its outcome), then shows the ID's row and parking. */
async function awaitOutcome(request: ParkedRequest, resources: CliResources, out: CommandOutput): Promise<ExitCode> {
  const db = await resources.database();
  const oplog = new OplogRepository(db);
  const deadline = Date.now() + APPLY_WAIT_MS;
  while (((await oplog.nextOffsets(resources.oplogKey)).get(request.partition) ?? 0) <= request.offset) {
    if (Date.now() > deadline) {
      out.result(`sent, but not applied within ${APPLY_WAIT_MS / 1000} s: is a consumer running for partition ${request.partition}? (async2 status) It applies when the owner reaches offset ${request.offset}.`, { ...request, applied: false });
      return EXIT.failure;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const [row] = (await new EventsRepository(db).findRecords([request.id])).values();
  const parked = await new ParkedRepository(db).find(resources.oplogKey, request.id);
  const state = row ? (row.deleted ? 'deleted' : `version ${row.version}, state ${short(JSON.stringify(row.state))}`) : 'no row';
  const lines = [`${request.action} of ${request.id} applied (partition ${request.partition}, offset ${request.offset}): ${state}`];
  lines.push(parked ? `parked again at offset ${parked.refusedOffset}: ${parked.reason} (${parked.events} kept events)` : 'no longer parked');
  out.result(lines.join('\n'), { ...request, applied: true, row: row ?? null, parkedAgain: parked ? { refusedOffset: parked.refusedOffset, reason: parked.reason, events: parked.events } : null });
  return EXIT.ok;
}

function humanList(parked: ParkedSummary[]): string {
  if (parked.length === 0) return 'no parked IDs';
  const rows = parked.map((p) => [p.id, String(p.partition), String(p.refusedOffset), String(p.events), p.parkedAt.toISOString(), p.reason]);
  return renderTable(['ID', 'PARTITION', 'REFUSED AT', 'EVENTS', 'PARKED SINCE', 'REASON'], rows);
}

function short(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
