import type { BaseOptions } from '@platformatic/kafka';
import type { KafkaSettings } from '../kafka-settings';
import type { ClientLog } from '../port/client-log';
import type { KafkaAdmin, KafkaPort, RecordSender, RecordSenderOptions } from '../port/kafka.port';
import type { RecordSource, RecordSourceOptions } from '../port/record-source';
import { PlatformaticAdmin } from './platformatic-admin';
import { platformaticClientOptions } from './platformatic-client.options';
import { routePlatformaticLogging } from './platformatic-logging';
import { PlatformaticRecordSender } from './platformatic-record-sender';
import { PlatformaticRecordSource } from './platformatic-record-source';

/** The Kafka port on @platformatic/kafka 2.12 (maintained, pure TypeScript, Node >= 24.6). */
export class PlatformaticPort implements KafkaPort {
  readonly client = 'platformatic';
  private readonly options: BaseOptions;

  constructor(settings: KafkaSettings, log?: ClientLog) {
    this.options = platformaticClientOptions(settings);
    if (log) routePlatformaticLogging(log);
  }

  sender(options: RecordSenderOptions): RecordSender {
    return new PlatformaticRecordSender(this.options, options);
  }

  admin(): KafkaAdmin {
    return new PlatformaticAdmin(this.options);
  }

  async source(options: RecordSourceOptions): Promise<RecordSource> {
    const source = new PlatformaticRecordSource(this.options, options);
    source.start();
    return source;
  }
}
