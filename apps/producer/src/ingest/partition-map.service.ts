import { type SharedSettings, awaitPartitionCount } from '@async2/data-access';
import { partitionForKey } from '@async2/domain';
import { SHARED_SETTINGS, KafkaConnections } from '@async2/platform';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

const REFRESH_MS = 30_000;

/**
 * P, the topic's partition count, read from Kafka's metadata at boot and refreshed; never from
 * configuration that could drift. A change is logged loudly: it moves IDs between partitions.
 */
@Injectable()
export class PartitionMap implements OnModuleInit, OnApplicationShutdown {
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('PartitionMap');

  constructor(
    private readonly kafka: KafkaConnections,
    @Inject(SHARED_SETTINGS) private readonly settings: SharedSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.kafka.ready();
    this.count = await awaitPartitionCount(this.kafka.admin, this.settings.topics.topic);
    this.logger.log(`topic ${this.settings.topics.topic} has ${this.count} partitions`);
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  get partitionCount(): number {
    return this.count;
  }

  /** The partition of an ID, given as the string or as its UTF-8 bytes (a record's key: not encoded again). */
  partitionOf(id: string | Uint8Array): number {
    return partitionForKey(id, this.count);
  }

  private async refresh(): Promise<void> {
    try {
      const count = await awaitPartitionCount(this.kafka.admin, this.settings.topics.topic);
      if (count !== this.count) {
        this.logger.warn(`partition count changed from ${this.count} to ${count}: IDs now map to new partitions`);
        this.count = count;
      }
    } catch (error) {
      this.logger.warn(`partition metadata refresh failed: ${(error as Error).message}`);
    }
  }
}
