import { parseMinVersion, parseReadConsistency, parseWriteToken } from '@async2/domain';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequiresScope } from '../auth/requires-scope.decorator';
import { PartitionMap } from '../ingest/partition-map.service';
import { FreshReadService } from './fresh-read.service';
import { ParkedEntityNotFoundError } from './read-errors';
import { type EntityView, ReadService } from './read.service';

type QueryValue = string | string[] | undefined;

/**
 * GET /v1/entities/:id, eventual (EVENTS); with ?after=<partition>:<offset>, never older than that
 * write. With ?consistency=fresh, from the owning consumer's memory, falling back to EVENTS; with
 * &minVersion=<n>, never older than a version the client already read. The answer's `source` (and
 * the `x-read-source` header) says which: `memory` or `database`. A parked ID's answer says
 * `parked: true` and why (docs/parking.md).
 */
@Controller('v1/entities')
@RequiresScope('read')
export class EntitiesController {
  constructor(
    private readonly reads: ReadService,
    private readonly fresh: FreshReadService,
    private readonly partitions: PartitionMap,
  ) {}

  @Get(':id')
  async read(
    @Param('id') id: string,
    @Query('after') after: QueryValue,
    @Query('consistency') consistency: QueryValue,
    @Query('minVersion') minVersion: QueryValue,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EntityView & { fallback?: string }> {
    const [view, parkedReason] = await Promise.all([this.view(id, after, consistency, minVersion, reply).catch((error: Error) => error), this.reads.parkedReason(id)]);
    if (view instanceof Error) throw parkedReason !== undefined && view.name === 'EntityNotFoundError' ? new ParkedEntityNotFoundError(id, parkedReason) : view;
    return parkedReason === undefined ? view : { ...view, parked: true, parkedReason };
  }

  private async view(id: string, after: QueryValue, consistency: QueryValue, minVersion: QueryValue, reply: FastifyReply): Promise<EntityView & { fallback?: string }> {
    // A repeated parameter is malformed: joined, it fails its grammar and the answer says so.
    const position = after === undefined ? undefined : parseWriteToken(once(after), this.partitions.partitionCount);
    const level = parseReadConsistency(consistency === undefined ? undefined : once(consistency));
    const floor = parseMinVersion(minVersion === undefined ? undefined : once(minVersion));
    if (level === 'fresh') return answer(reply, await this.fresh.read(id, position, floor));
    if (floor === undefined) return answer(reply, { view: await this.reads.read(id, position) });
    return answer(reply, { view: await this.fresh.fromDatabase(id, position, floor, 'consistency=eventual reads only the database') });
  }
}

function once(value: string | string[]): string {
  return Array.isArray(value) ? value.join('&') : value;
}

function answer(reply: FastifyReply, { view, fallback }: { view: EntityView; fallback?: string }): EntityView & { fallback?: string } {
  reply.header('x-read-source', view.source);
  if (fallback === undefined) return view;
  reply.header('x-read-fallback', fallback.replace(/[^\x20-\x7e]/g, '?'));
  return { ...view, fallback };
}
