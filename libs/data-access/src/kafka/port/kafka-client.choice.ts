import type { EnvReader } from '../../config/env-reader';
import { KAFKA_CLIENTS, type KafkaClientName } from './kafka.port';

/**
 * KAFKA_CLIENT: which client library every app talks to Kafka through. kafkajs stays the default
 * (the design card names it) until the numbers pick another; an unknown value stops the start.
 */
export function readKafkaClient(env: EnvReader): KafkaClientName {
  return env.oneOf('KAFKA_CLIENT', DEFAULT_KAFKA_CLIENT, KAFKA_CLIENTS);
}

/** The client when KAFKA_CLIENT is unset. */
export const DEFAULT_KAFKA_CLIENT: KafkaClientName = 'kafkajs';
