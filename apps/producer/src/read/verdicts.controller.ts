import { parseWriteToken } from '@async2/domain';
import { Controller, Get, Param } from '@nestjs/common';
import { RequiresScope } from '../auth/requires-scope.decorator';
import { PartitionMap } from '../ingest/partition-map.service';
import { type VerdictView, VerdictReadService } from './verdict-read.service';

/**
 * GET /v1/events/{partition}:{offset}: the verdict of the conditional event written there (`applied`
 * or `rejected`, with the version the fold saw), once that write is applied (waits up to
 * READ_AFTER_TIMEOUT_MS, else 504). 404 `no_verdict` for an unconditional event (none is stored) or
 * one past VERDICT_RETENTION_MS; a malformed or unwritten token is 400 (`token`).
 */
@Controller('v1/events')
@RequiresScope('read')
export class VerdictsController {
  constructor(
    private readonly verdicts: VerdictReadService,
    private readonly partitions: PartitionMap,
  ) {}

  @Get(':token')
  async read(@Param('token') token: string): Promise<VerdictView> {
    return this.verdicts.read(parseWriteToken(token, this.partitions.partitionCount, 'token'));
  }
}
