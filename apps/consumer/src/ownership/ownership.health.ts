import { type CurrentClaim, OplogRepository, isCurrentClaim } from '@async2/data-access';
import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckError, type HealthIndicatorResult } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config';
import type { OffsetGap } from '../fold/offset-gap-guard';
import { PartitionConsumer } from '../partition-consumer.service';

const lostMessage = (lost: number[]) => (lost.length > 0 ? [`lost partitions ${lost.join(', ')} to another instance`] : []);
const gapMessage = (g: OffsetGap) =>
  `partition ${g.partition} stopped at a gap: offsets ${g.from}..${g.to} were removed before they were applied; ACCEPT_OFFSET_GAP=${g.partition}:${g.resumeAt} moves past them`;

/**
 * Up when this instance owns every partition it claimed and none stopped at a gap in its offsets:
 * OPLOG still holds its epoch for each (isCurrentClaim, rule 4 of the epoch fence in
 * libs/data-access/src/persistence/epoch-fence.ts). Asking OPLOG (not only the lanes' fenced
 * flags) notices a takeover at once, before this instance's next flush would be refused.
 */
@Injectable()
export class OwnershipHealthIndicator {
  private readonly oplog: OplogRepository;

  constructor(
    private readonly consumer: PartitionConsumer,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    dataSource: DataSource,
  ) {
    this.oplog = new OplogRepository(dataSource);
  }

  async check(key = 'ownership'): Promise<HealthIndicatorResult> {
    const progress = this.consumer.progress();
    let claims: Map<number, CurrentClaim>;
    try {
      claims = await this.oplog.claims({ consumerGroup: this.config.consumerGroup, topic: this.config.topics.topic });
    } catch (error) {
      throw new HealthCheckError('OPLOG is not readable', { [key]: { status: 'down', message: `cannot read OPLOG: ${(error as Error).message}`, partitions: progress } });
    }
    const partitions = progress.map((p) => {
      const claim = claims.get(p.partition);
      const owned = !p.fenced && isCurrentClaim(p.epoch, claim);
      return { ...p, owned, ...(owned ? {} : { claimedBy: claim?.owner, claimEpoch: claim?.epoch }) };
    });
    const lost = partitions.filter((p) => !p.owned).map((p) => p.partition);
    const gaps = partitions.flatMap((p) => (p.owned && p.stoppedAtGap ? [p.stoppedAtGap] : []));
    const up = partitions.length > 0 && lost.length === 0 && gaps.length === 0;
    const message = partitions.length === 0 ? 'owns no partition' : [...lostMessage(lost), ...gaps.map(gapMessage)].join('; ');
    const result = { [key]: { status: up ? ('up' as const) : ('down' as const), group: this.config.consumerGroup, partitions, ...(up ? {} : { message }) } };
    if (!up) throw new HealthCheckError(message, result);
    return result;
  }
}
