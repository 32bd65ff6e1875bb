import type { EnvReader } from '../../config/env-reader';
import { KAFKA_CLIENTS, type KafkaClientName } from './kafka.port';

/**
 * KAFKA_CLIENT: which client library every app talks to Kafka through; an unknown value stops the
 * start. Both pass the same fault suite; the default is the faster one (docs/performance.md,
 * "Kafka clients"); kafkajs, the design card's client, stays one variable away.
 */
export function readKafkaClient(env: EnvReader): KafkaClientName {
  return env.oneOf('KAFKA_CLIENT', DEFAULT_KAFKA_CLIENT, KAFKA_CLIENTS);
}

/** The client when KAFKA_CLIENT is unset. */
export const DEFAULT_KAFKA_CLIENT: KafkaClientName = 'platformatic';
