import { ValidationError } from '@async2/domain';
import { Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequiresScope } from '../auth/requires-scope.decorator';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { ChangeStreamService } from './change-stream.service';

/**
 * GET /v1/changes: committed changes of EVENTS as Server-Sent Events, resumable (`Last-Event-ID`,
 * or `?cursor=`), optionally only IDs starting with `?prefix=`.
 * GET /v1/changes/snapshot: EVENTS in pages, with the cursor the stream continues from.
 */
@Controller('v1/changes')
@RequiresScope('read')
export class ChangesController {
  constructor(
    private readonly changes: ChangeStreamService,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
  ) {}

  @Get()
  async stream(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Headers('last-event-id') lastEventId?: string,
    @Query('cursor') cursor?: unknown,
    @Query('prefix') prefix?: unknown,
  ): Promise<void> {
    const filter = single(prefix, 'prefix') ?? '';
    // A reconnecting EventSource keeps its URL and adds Last-Event-ID: the header wins.
    const from = lastEventId
      ? await this.changes.startingPoint(lastEventId, 'Last-Event-ID')
      : await this.changes.startingPoint(single(cursor, 'cursor'), 'cursor');
    this.changes.assertRoom();
    reply.hijack();
    request.raw.socket.setNoDelay(true);
    await this.changes.subscribe(reply.raw, from, filter);
  }

  @Get('snapshot')
  snapshot(@Query('prefix') prefix?: unknown, @Query('after') after?: unknown, @Query('limit') limit?: unknown) {
    const max = this.config.changes.snapshotPageMax;
    const rawLimit = single(limit, 'limit');
    const pageSize = rawLimit === undefined ? max : Number(rawLimit);
    if (!/^\d{1,9}$/.test(rawLimit ?? '1') || pageSize < 1 || pageSize > max) {
      throw new ValidationError([{ field: 'limit', rule: 'range', message: `must be an integer from 1 to ${max}` }]);
    }
    return this.changes.snapshotPage(single(prefix, 'prefix') ?? '', single(after, 'after'), pageSize);
  }
}

/** A query parameter given at most once, as text. */
function single(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError([{ field, rule: 'single', message: 'must be given once' }]);
  return value;
}
