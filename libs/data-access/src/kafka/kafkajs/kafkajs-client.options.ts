import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { logLevel } from 'kafkajs';
import type { KafkaSettings } from '../kafka-settings';

/** kafkajs client options from validated settings: TLS and SASL are configuration, not code. */
export function kafkaClientOptions(settings: KafkaSettings): KafkaConfig {
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: typeof settings.ssl === 'boolean' ? settings.ssl : { ...settings.ssl },
    sasl: settings.sasl as SASLOptions | undefined,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, retries: 8 },
    logLevel: logLevel.WARN,
  };
}
