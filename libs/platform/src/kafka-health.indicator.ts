import { Injectable } from '@nestjs/common';
import { HealthCheckError, type HealthIndicatorResult } from '@nestjs/terminus';
import { KafkaConnections } from './kafka-connections';

/**
 * Kafka is up when the cluster answers a metadata request within `timeoutMs`. (kafkajs retries
 * an unreachable broker for many seconds; a probe must answer sooner than that.)
 */
@Injectable()
export class KafkaHealthIndicator {
  constructor(private readonly kafka: KafkaConnections) {}

  async isHealthy(key = 'kafka', timeoutMs = 3000): Promise<HealthIndicatorResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)));
    try {
      const brokers = await Promise.race([this.kafka.admin.brokerIds(), timeout]);
      return { [key]: { status: 'up', brokers: brokers.length } };
    } catch (error) {
      throw new HealthCheckError('Kafka is not reachable', { [key]: { status: 'down', message: (error as Error).message } });
    } finally {
      clearTimeout(timer);
    }
  }
}
