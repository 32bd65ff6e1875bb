import type { ParkedRequest } from '@async2/data-access';
import { type ParkedAction, ValidationError } from '@async2/domain';
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { RequiresScope } from '../auth/requires-scope.decorator';
import { ParkedAdminService } from './parked-admin.service';

type QueryValue = string | string[] | undefined;

/**
 * The operator's parked IDs (docs/parking.md), behind the `admin` scope:
 *   GET  /v1/admin/parked[?partition=p]        the parked IDs (all, or one partition's)
 *   GET  /v1/admin/parked/:id                  one parked ID with its kept events, in order
 *   POST /v1/admin/parked/:id/replay[?skip=refused][&refusedOffset=o]   replay the kept events (all, or all but the refused one)
 *   POST /v1/admin/parked/:id/discard[?refusedOffset=o]                 discard every kept event
 * A replay or discard answers 202 with the control record's place and the parking it answers
 * (`refusedOffset`): the partition's owner applies it in order with the ID's events, under the
 * epoch fence. `refusedOffset` names the parking the caller looked at: if the ID was released and
 * parked again at another event since, the answer is 409 and nothing is sent. An unknown ID is
 * 404, a bad partition, flag or offset 400, and nothing is sent.
 */
@Controller('v1/admin/parked')
@RequiresScope('admin')
export class ParkedController {
  constructor(private readonly service: ParkedAdminService) {}

  @Get()
  async list(@Query('partition') partition: QueryValue): Promise<object> {
    return { parked: await this.service.parked.list(partition === undefined ? undefined : wholeNumber('partition', partition)) };
  }

  @Get(':id')
  show(@Param('id') id: string): Promise<object> {
    return this.service.parked.show(id);
  }

  @Post(':id/replay')
  @HttpCode(202)
  replay(@Param('id') id: string, @Query('skip') skip: QueryValue, @Query('refusedOffset') refusedOffset: QueryValue): Promise<ParkedRequest> {
    if (skip !== undefined && skip !== 'refused') throw new ValidationError([{ field: 'skip', rule: 'enum', message: 'skip may only be "refused" (replay all but the refused event)' }]);
    const action: ParkedAction = skip === 'refused' ? 'skip-refused' : 'replay';
    return this.service.parked.request(id, action, 'admin-api', offsetOf(refusedOffset));
  }

  @Post(':id/discard')
  @HttpCode(202)
  discard(@Param('id') id: string, @Query('refusedOffset') refusedOffset: QueryValue): Promise<ParkedRequest> {
    return this.service.parked.request(id, 'discard', 'admin-api', offsetOf(refusedOffset));
  }
}

/** The optional `refusedOffset` of a release: a Kafka offset. */
function offsetOf(raw: QueryValue): number | undefined {
  return raw === undefined ? undefined : wholeNumber('refusedOffset', raw, 15);
}

function wholeNumber(field: string, raw: string | string[], maxDigits = 9): number {
  const text = Array.isArray(raw) ? raw.join('&') : raw;
  if (!new RegExp(`^\\d{1,${maxDigits}}$`).test(text)) throw new ValidationError([{ field, rule: 'integer', message: `${field} must be a whole number, 0 or more (got ${JSON.stringify(text)})` }]);
  return Number(text);
}
