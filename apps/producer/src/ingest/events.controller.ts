import { formatWriteToken } from '@async2/domain';
import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequiresScope } from '../auth/requires-scope.decorator';
import type { PublishOutcome } from './coalescing-publisher';
import { observedIngest } from './observed-ingest';
import { PublishService } from './publish.service';

/** HTTP ingest: POST /v1/events (one event) and POST /v1/events:batch. */
@Controller('v1')
@RequiresScope('write')
export class EventsController {
  constructor(private readonly publishService: PublishService) {}

  /** 202 with the write token once Kafka acknowledged (acks=all); 503 when it did not. */
  @Post('events')
  @HttpCode(202)
  async publishOne(@Body() body: unknown) {
    const [outcome] = await observedIngest('http', () => this.publishService.publishOne(body));
    if (!outcome.ok) throw outcome.error;
    return accepted(outcome);
  }

  // "::" is find-my-way's escape for a literal ':' in a path (Fastify's router).
  /** 202 when every event was accepted, 207 when some were, 503 when none; one result per event, in order. */
  @Post('events::batch')
  async publishBatch(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const outcomes = await observedIngest('http', () => this.publishService.publishBatch(body));
    const acceptedCount = outcomes.filter((o) => o.ok).length;
    if (acceptedCount === outcomes.length) reply.status(202);
    else if (acceptedCount > 0) reply.status(207);
    else reply.status(503).header('retry-after', '1');
    return {
      accepted: acceptedCount,
      rejected: outcomes.length - acceptedCount,
      results: outcomes.map((o) => (o.ok ? accepted(o) : { status: 'unavailable', error: { code: o.error.code, message: o.error.message, retriable: true } })),
    };
  }
}

function accepted(outcome: Extract<PublishOutcome, { ok: true }>) {
  return { status: 'accepted', partition: outcome.partition, offset: outcome.offset, token: formatWriteToken(outcome) };
}
