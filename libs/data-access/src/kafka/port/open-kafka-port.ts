import type { KafkaSettings } from '../kafka-settings';
import type { ClientLog } from './client-log';
import type { KafkaPort } from './kafka.port';

/**
 * The port on the client KAFKA_CLIENT names. Each adapter is loaded only when picked:
 * @platformatic/kafka is an ES module, which Node loads from CommonJS natively (require(esm)) but
 * jest only with --experimental-vm-modules; code that never picks it never loads it.
 */
export async function openKafkaPort(settings: KafkaSettings, options: { log?: ClientLog } = {}): Promise<KafkaPort> {
  switch (settings.client) {
    case 'kafkajs':
      return new (await import('../kafkajs/kafkajs.adapter')).KafkajsPort(settings, options.log);
    case 'platformatic':
      return new (await import('../platformatic/platformatic.adapter')).PlatformaticPort(settings, options.log);
  }
}
