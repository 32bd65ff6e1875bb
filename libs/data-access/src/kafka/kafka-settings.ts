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
