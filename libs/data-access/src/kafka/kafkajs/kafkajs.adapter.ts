import { Kafka } from 'kafkajs';
import type { KafkaSettings } from '../kafka-settings';
import type { ClientLog } from '../port/client-log';
import type { KafkaAdmin, KafkaPort, RecordSender, RecordSenderOptions } from '../port/kafka.port';
import type { RecordSource, RecordSourceOptions } from '../port/record-source';
import { KafkajsAdmin } from './kafkajs-admin';
import { kafkaClientOptions } from './kafkajs-client.options';
import { skipKafkajsIdleQueueTimer } from './kafkajs-idle-queue-timer.fix';
import { kafkajsLogging } from './kafkajs-logging';
import { KafkajsRecordSender } from './kafkajs-record-sender';
import { KafkajsRecordSource } from './kafkajs-record-source';

/** The Kafka port on kafkajs 2.2.4 (the design card's client). */
export class KafkajsPort implements KafkaPort {
  readonly client = 'kafkajs';
  private readonly kafka: Kafka;

  /** One kafkajs client for every sender, source and admin of the app: one set of connections, one log format. */
  constructor(settings: KafkaSettings, log?: ClientLog) {
    skipKafkajsIdleQueueTimer();
    this.kafka = new Kafka({ ...kafkaClientOptions(settings), ...(log ? kafkajsLogging(log) : {}) });
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
