import { parseWriteToken } from '@async2/domain';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { RequiresScope } from '../auth/requires-scope.decorator';
import { PartitionMap } from '../ingest/partition-map.service';
import { ReadService } from './read.service';

/** GET /v1/entities/:id, eventual; with ?after=<partition>:<offset>, never older than that write. */
@Controller('v1/entities')
@RequiresScope('read')
export class EntitiesController {
  constructor(private readonly reads: ReadService, private readonly partitions: PartitionMap) {}

  @Get(':id')
  read(@Param('id') id: string, @Query('after') after?: string | string[]) {
    if (Array.isArray(after)) after = after.join('&'); // a repeated parameter is malformed, say so
    const position = after === undefined ? undefined : parseWriteToken(after, this.partitions.partitionCount);
    return this.reads.read(id, position);
  }
}
