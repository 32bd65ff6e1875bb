import { OplogRepository, type SharedSettings, awaitWatermarks } from '@async2/data-access';
import { KafkaConnections, SHARED_SETTINGS } from '@async2/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { setPipelineLagSource } from '../platform/pipeline-lag.metrics';

/** Feeds async2_pipeline_lag: the topic's high watermarks and the consumer group's OPLOG offsets. */
@Injectable()
export class PipelineLagSource implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly kafka: KafkaConnections,
    private readonly dataSource: DataSource,
    @Inject(SHARED_SETTINGS) private readonly settings: SharedSettings,
  ) {}

  onModuleInit(): void {
    const oplog = new OplogRepository(this.dataSource);
    const key = { consumerGroup: this.settings.consumerGroup, topic: this.settings.topics.topic };
    setPipelineLagSource(async () => {
      const [watermarks, committed] = await Promise.all([awaitWatermarks(this.kafka.admin, key.topic), oplog.nextOffsets(key)]);
      // A partition no consumer has claimed yet has committed nothing: its whole log is lag.
      return new Map([...watermarks].map(([partition, { low, high }]) => [partition, { high, committed: committed.get(partition) ?? low }]));
    });
  }

  onApplicationShutdown(): void {
    setPipelineLagSource(undefined);
  }
}
