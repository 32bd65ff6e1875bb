import { EventsRepository, fetchWatermarks } from '@async2/data-access';
import { type WritePosition, ValidationError, validateEvent } from '@async2/domain';
import { KafkaConnections } from '@async2/platform';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { EntityNotFoundError, ReadAfterTimeoutError } from './read-errors';
import { OplogWatcher } from './oplog-watcher.service';

export interface EntityView {
  id: string;
  state: Record<string, unknown>;
  version: number;
  updatedAt: string;
  eventTs: string;
  partition: number;
  offset: number;
}

/** Reads of materialised state: eventual by default, or after a given write (read-your-writes). */
@Injectable()
export class ReadService {
  private readonly events: EventsRepository;

  constructor(
    dataSource: DataSource,
    private readonly watcher: OplogWatcher,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
    private readonly kafka: KafkaConnections,
  ) {
    this.events = new EventsRepository(dataSource);
  }

  /**
   * A token past the partition's end names a write that never happened: waiting for it would only
   * time out (504), so it is bad input. Asked of Kafka only when OPLOG has not passed the offset.
   */
  private async refuseUnwritten({ partition, offset }: WritePosition): Promise<void> {
    const high = (await fetchWatermarks(this.kafka.admin, this.config.topics.topic)).get(partition)?.high ?? 0;
    if (offset >= high) {
      throw new ValidationError([{ field: 'after', rule: 'past-end', message: `partition ${partition} holds offsets below ${high} only: no write has this token` }]);
    }
  }

  async read(id: string, after?: WritePosition): Promise<EntityView> {
    // The same rules as ingest, so a read can never name an ID that could not have been written.
    validateEvent({ id, op: 'delete' }, this.config.limits);
    if (after && !(await this.watcher.waitPast(after.partition, after.offset, 0))) {
      await this.refuseUnwritten(after);
      const reached = await this.watcher.waitPast(after.partition, after.offset, this.config.readAfterTimeoutMs);
      if (!reached) throw new ReadAfterTimeoutError(after.partition, after.offset, this.watcher.appliedUpTo(after.partition), this.config.readAfterTimeoutMs);
    }
    const stored = await this.events.findStored(id);
    if (!stored || stored.record.deleted || stored.record.state === null) throw new EntityNotFoundError(id);
    const { record, updatedAt } = stored;
    return {
      id,
      state: record.state ?? {},
      version: record.version,
      updatedAt: updatedAt.toISOString(),
      eventTs: new Date(record.eventTs).toISOString(),
      partition: record.partition,
      offset: record.lastOffset,
    };
  }
}
