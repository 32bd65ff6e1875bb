import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { logLevel } from 'kafkajs';
import type { KafkaClientName } from './port/kafka.port';

/** TLS to the brokers: PEM contents (read from files at boot), and whether to verify the brokers. */
export interface KafkaTlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

export interface KafkaSettings {
  /** The client library behind the Kafka port (KAFKA_CLIENT). */
  client: KafkaClientName;
  brokers: string[];
  clientId: string;
  /** false: plaintext; true: TLS with the system's CAs; or TLS with our CA / client certificate. */
  ssl: boolean | KafkaTlsSettings;
  /** SASL mechanism and credentials; undefined for none. */
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

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
