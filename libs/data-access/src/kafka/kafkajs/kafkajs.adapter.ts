import { Kafka } from 'kafkajs';
import type { KafkaSettings } from '../kafka-settings';
import { kafkaClientOptions } from './kafkajs-client.options';
import type { KafkaAdmin, KafkaPort, RecordSender, RecordSenderOptions } from '../port/kafka.port';
import type { RecordSource, RecordSourceOptions } from '../port/record-source';
import { KafkajsAdmin } from './kafkajs-admin';
import { KafkajsRecordSender } from './kafkajs-record-sender';
import { KafkajsRecordSource } from './kafkajs-record-source';

/** The Kafka port on kafkajs 2.2.4 (the design card's client). */
export class KafkajsPort implements KafkaPort {
  readonly client = 'kafkajs';
  private readonly kafka: Kafka;

  constructor(settings: KafkaSettings, kafka?: Kafka) {
    this.kafka = kafka ?? new Kafka(kafkaClientOptions(settings));
  }

  sender(options: RecordSenderOptions): RecordSender {
    return new KafkajsRecordSender(this.kafka, options);
  }

  admin(): KafkaAdmin {
    return new KafkajsAdmin(this.kafka);
  }

  async source(options: RecordSourceOptions): Promise<RecordSource> {
    const source = new KafkajsRecordSource(this.kafka, this.kafka.admin(), options);
    await source.start();
    return source;
  }
}
