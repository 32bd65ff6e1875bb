import type { BaseOptions } from '@platformatic/kafka';
import type { KafkaSettings } from '../kafka-settings';
import type { KafkaAdmin, KafkaPort, RecordSender, RecordSenderOptions } from '../port/kafka.port';
import type { RecordSource, RecordSourceOptions } from '../port/record-source';
import { PlatformaticAdmin } from './platformatic-admin';
import { platformaticClientOptions } from './platformatic-client.options';
import { PlatformaticRecordSender } from './platformatic-record-sender';
import { PlatformaticRecordSource } from './platformatic-record-source';

/** The Kafka port on @platformatic/kafka 2.12 (maintained, pure TypeScript, Node >= 24.6). */
export class PlatformaticPort implements KafkaPort {
  readonly client = 'platformatic';
  private readonly options: BaseOptions;

  constructor(settings: KafkaSettings) {
    this.options = platformaticClientOptions(settings);
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
