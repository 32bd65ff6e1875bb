import { Inject, Injectable } from '@nestjs/common';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config';
import { PartitionConsumer } from '../partition-consumer.service';

export interface FencedPartition {
  partition: number;
  /** When the lane was fenced (ms since epoch), and why. */
  at: number;
  reason: string;
}

export type Liveness = { live: true } | { live: false; reason: string; fenced: Array<FencedPartition & { forMs: number }> };

/**
 * The rule: an instance fenced from a partition for longer than the grace period is not live. A
 * fenced lane never writes again, so if the instance that fenced it dies too, nothing would own
 * the partition; failing liveness makes the orchestrator restart this one, which claims it again
 * (and, if the other owner is alive, is fenced again: both stay visible in the fenced alerts). The
 * grace period lets a planned handover (a rolling restart) finish without a second restart.
 */
export function livenessAfterFencing(fenced: readonly FencedPartition[], graceMs: number, now: number): Liveness {
  const overdue = fenced.filter((f) => now - f.at >= graceMs).map((f) => ({ ...f, forMs: now - f.at }));
  if (overdue.length === 0) return { live: true };
  const which = overdue.map((f) => `partition ${f.partition} for ${Math.round(f.forMs / 1000)} s (${f.reason})`).join('; ');
  return { live: false, reason: `fenced longer than FENCED_LIVENESS_GRACE_MS (${graceMs} ms): ${which}; restart to claim again`, fenced: overdue };
}

/** Liveness of this consumer process: the rule above over its lanes. */
@Injectable()
export class FencedLiveness {
  constructor(
    private readonly consumer: PartitionConsumer,
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
  ) {}

  check(now = Date.now()): Liveness {
    return livenessAfterFencing(this.consumer.fencedPartitions(), this.config.fencedLivenessGraceMs, now);
  }
}
