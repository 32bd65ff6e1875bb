import { VerdictsRepository } from '@async2/data-access';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONSUMER_CONFIG, type ConsumerConfig } from '../config/consumer.config';

/** How often expired verdicts are looked for, at most (a shorter retention looks twice per retention). */
const CLEANUP_EVERY_MS = 60_000;

/**
 * Keeps VERDICTS to VERDICT_RETENTION_MS: deletes the verdicts of this group and topic accepted longer
 * ago (bounded batches over the BRIN index on accepted_at). Outside the fence on purpose: it only
 * removes what every instance agrees is expired, so two instances doing it at once is harmless.
 */
@Injectable()
export class VerdictRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('VerdictRetention');
  private readonly verdicts: VerdictsRepository;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    @Inject(CONSUMER_CONFIG) private readonly config: ConsumerConfig,
    dataSource: DataSource,
  ) {
    this.verdicts = new VerdictsRepository(dataSource);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.cleanup(), Math.min(CLEANUP_EVERY_MS, Math.ceil(this.config.verdictRetentionMs / 2)));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass; a pass still running when the timer fires again is not doubled. */
  async cleanup(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const deleted = await this.verdicts.deleteExpired({ consumerGroup: this.config.consumerGroup, topic: this.config.topics.topic }, this.config.verdictRetentionMs);
      if (deleted > 0) this.logger.log(`deleted ${deleted} verdict(s) older than VERDICT_RETENTION_MS=${this.config.verdictRetentionMs}`);
      return deleted;
    } catch (error) {
      this.logger.warn(`deleting expired verdicts failed (next try in a while): ${(error as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
