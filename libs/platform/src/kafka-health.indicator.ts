import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { KafkaConnections } from './kafka-connections';

/** Kafka is up when the cluster answers a metadata request. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(private readonly kafka: KafkaConnections) {}

  async isHealthy(key = 'kafka'): Promise<HealthIndicatorResult> {
    const cluster = await this.kafka.admin.describeCluster();
    return { [key]: { status: 'up', brokers: cluster.brokers.length } };
  }
}
