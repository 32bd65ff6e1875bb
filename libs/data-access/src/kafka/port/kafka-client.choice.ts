import type { EnvReader } from '../../config/env-reader';
import { KAFKA_CLIENTS, type KafkaClientName } from './kafka.port';

/**
 * KAFKA_CLIENT: which client library every app talks to Kafka through; an unknown value stops the
 * start. The default is the client that passes every fault scenario and is faster end to end:
 * @platformatic/kafka (docs/performance.md#kafka-clients); kafkajs (the design card's) stays a choice.
 */
export function readKafkaClient(env: EnvReader): KafkaClientName {
  return env.oneOf('KAFKA_CLIENT', DEFAULT_KAFKA_CLIENT, KAFKA_CLIENTS);
}

/** The client when KAFKA_CLIENT is unset. */
export const DEFAULT_KAFKA_CLIENT: KafkaClientName = 'platformatic';
