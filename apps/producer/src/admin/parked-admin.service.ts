import { ParkedAdmin, ParkedRepository, type RecordSender } from '@async2/data-access';
import { KafkaConnections } from '@async2/platform';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { PartitionMap } from '../ingest/partition-map.service';

/** The longest a control record's send may take: past it the request fails (500) and may be retried; a record is sent whole or not at all. */
const CONTROL_SEND_TIMEOUT_MS = 10_000;

/**
 * The admin endpoint's ParkedAdmin (libs/data-access/src/parking/parked-admin.ts), on its own
 * sender: control records are rare and must not queue behind the ingest's coalescing publisher.
 */
@Injectable()
export class ParkedAdminService implements OnApplicationShutdown {
  private sender: RecordSender | undefined;
  private admin: ParkedAdmin | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly kafka: KafkaConnections,
    private readonly partitions: PartitionMap,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
  ) {}

  get parked(): ParkedAdmin {
    this.admin ??= new ParkedAdmin(new ParkedRepository(this.dataSource), { consumerGroup: this.config.consumerGroup, topic: this.config.topics.topic }, this.partitions.partitionCount, async () => {
      this.sender ??= this.kafka.port.sender({ sendTimeoutMs: CONTROL_SEND_TIMEOUT_MS });
      return this.sender;
    });
    return this.admin;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sender?.close();
  }
}
