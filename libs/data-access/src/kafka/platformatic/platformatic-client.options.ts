import type { BaseOptions } from '@platformatic/kafka';
import type { KafkaSettings } from '../kafka-settings';

const SASL_MECHANISMS = { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

/** @platformatic/kafka client options from validated settings: the same TLS, SASL and timeouts as kafkaClientOptions. */
export function platformaticClientOptions(settings: KafkaSettings): BaseOptions {
  const { ssl, sasl } = settings;
  return {
    clientId: settings.clientId,
    bootstrapBrokers: settings.brokers,
    ...(ssl === false ? {} : { tls: ssl === true ? {} : { ...ssl } }),
    ...(sasl ? { sasl: { mechanism: SASL_MECHANISMS[sasl.mechanism], username: sasl.username, password: sasl.password } } : {}),
    connectTimeout: 3000,
    requestTimeout: 30000,
    // A finite budget: idempotent producers otherwise retry without end (the send's bound still applies).
    retries: 8,
    retryDelay: 250,
  };
}
