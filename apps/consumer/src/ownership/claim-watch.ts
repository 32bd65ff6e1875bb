import { type CurrentClaim, type OplogKey, OplogRepository, isCurrentClaim } from '@async2/data-access';
import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { PartitionLane } from '../fold/partition-lane';

/**
 * Rule 4 of the epoch fence (libs/data-access/src/persistence/epoch-fence.ts): reads OPLOG's
 * current claims and fences every lane whose epoch is no longer the current one, so a zombie (a
 * paused or partitioned instance that woke up) stops before its next flush would be refused.
 */
export class ClaimWatch {
  private readonly oplog: OplogRepository;

  constructor(
    dataSource: DataSource,
    private readonly key: OplogKey,
    private readonly logger: Logger,
  ) {
    this.oplog = new OplogRepository(dataSource);
  }

  /** The current claim of every partition of the group (throws when OPLOG cannot be read). */
  current(): Promise<Map<number, CurrentClaim>> {
    return this.oplog.claims(this.key);
  }

  /** Fences the lanes another instance claimed since; returns them (their fetching must stop). */
  async fenceStale(lanes: Iterable<PartitionLane>): Promise<PartitionLane[]> {
    let claims: Map<number, CurrentClaim>;
    try {
      claims = await this.current();
    } catch (error) {
      this.logger.warn(`claim check failed: ${(error as Error).message}`);
      return [];
    }
    const fenced: PartitionLane[] = [];
    for (const lane of lanes) {
      const claim = claims.get(lane.partition);
      // No row at all: nothing newer to defer to (the flush's own check still guards the write).
      if (lane.fenced || !claim || isCurrentClaim(lane.epoch, claim)) continue;
      lane.fence(`OPLOG shows epoch ${claim.epoch} owned by ${claim.owner}`);
      fenced.push(lane);
    }
    return fenced;
  }
}
