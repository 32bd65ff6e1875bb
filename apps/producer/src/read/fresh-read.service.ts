import { ValidationError, type WritePosition, isReadable, validateEvent } from '@async2/domain';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { PartitionMap } from '../ingest/partition-map.service';
import { OwnerReadClient } from './owner-read.client';
import { EntityNotFoundError, StaleReadRefusedError } from './read-errors';
import { type EntityView, ReadService } from './read.service';

export interface FreshReadResult {
  view: EntityView;
  /** Set when the owner did not answer (or not with a recent enough version) and EVENTS did: why. */
  fallback?: string;
}

/**
 * consistency=fresh: the state from the memory of the consumer that owns the ID's partition, which
 * is what EVENTS will hold after its next flush. With `after`, the owner first waits until its fold
 * passed that offset (milliseconds, not a flush interval). When the owner does not answer within
 * FRESH_READ_TIMEOUT_MS, the read falls back to EVENTS with the usual `after` semantics, and says so.
 * With `minVersion`, no path answers with an older version: it refuses (503) instead.
 */
@Injectable()
export class FreshReadService {
  private readonly logger = new Logger('FreshReadService');

  constructor(
    private readonly owner: OwnerReadClient,
    private readonly reads: ReadService,
    private readonly partitions: PartitionMap,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
  ) {}

  async read(id: string, after: WritePosition | undefined, minVersion: number | undefined): Promise<FreshReadResult> {
    validateEvent({ id, op: 'delete' }, this.config.limits);
    const partition = this.partitions.partitionOf(id);
    if (after && after.partition !== partition) {
      throw new ValidationError([{ field: 'after', rule: 'other-partition', message: `a fresh read waits on the id's own partition (${partition}); this write token is for partition ${after.partition}` }]);
    }
    const outcome = await this.owner.read(id, partition, { after: after?.offset, minVersion });
    let fallback: string;
    if (outcome.ok) {
      const { entity } = outcome.answer;
      if (minVersion === undefined || (entity?.version ?? 0) >= minVersion) {
        // The owner's memory may hold an ID whose expiry passed before its sweep: it is gone all the same.
        if (!entity || !isReadable(entity, Date.now()) || entity.state === null) throw new EntityNotFoundError(id);
        const view: EntityView = {
          ...(entity.expiresAt === undefined ? {} : { expiresAt: new Date(entity.expiresAt).toISOString() }),
          id,
          state: entity.state,
          version: entity.version,
          updatedAt: null,
          eventTs: new Date(entity.eventTs).toISOString(),
          partition,
          offset: entity.lastOffset,
          source: 'memory',
        };
        return { view };
      }
      fallback = `the owner has version ${entity?.version ?? 0}, below minVersion ${minVersion}`;
    } else {
      fallback = outcome.reason;
    }
    this.logger.debug?.(`fresh read of partition ${partition} falls back to the database: ${fallback}`);
    return { view: await this.fromDatabase(id, after, minVersion, fallback), fallback };
  }

  /** EVENTS with the usual `after` semantics, refusing a version below `minVersion` (503, retriable). */
  async fromDatabase(id: string, after: WritePosition | undefined, minVersion: number | undefined, why: string): Promise<EntityView> {
    validateEvent({ id, op: 'delete' }, this.config.limits);
    const stored = await this.reads.readStored(id, after);
    const available = stored?.record.version ?? 0;
    if (minVersion !== undefined && available < minVersion) throw new StaleReadRefusedError(id, minVersion, available, why);
    return this.reads.toView(id, stored);
  }
}
