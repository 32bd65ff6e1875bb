import { EventsRepository, type StoredRecord, awaitWatermarks, parkedReasonOf } from '@async2/data-access';
import { type WritePosition, ValidationError, isReadable, validateEvent } from '@async2/domain';
import { KafkaConnections } from '@async2/platform';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PRODUCER_CONFIG, type ProducerConfig } from '../config/producer.config';
import { EntityNotFoundError, ReadAfterTimeoutError } from './read-errors';
import { OplogWatcher } from './oplog-watcher.service';

/** Where a read's state came from: the owning consumer's fold, or EVENTS. */
export type ReadSource = 'memory' | 'database';

export interface EntityView {
  id: string;
  state: Record<string, unknown>;
  version: number;
  /** When EVENTS last stored it; null for state read from memory (not necessarily written yet). */
  updatedAt: string | null;
  eventTs: string;
  partition: number;
  offset: number;
  source: ReadSource;
  /** When the ID expires (its last `ttlMs`), ISO 8601; absent when it never does. */
  expiresAt?: string;
  /** Present when the ID is parked (docs/parking.md): this state is missing the parked events. */
  parked?: true;
  parkedReason?: string;
}

/** Reads of materialised state: eventual by default, or after a given write (read-your-writes). */
@Injectable()
export class ReadService {
  private readonly events: EventsRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly watcher: OplogWatcher,
    @Inject(PRODUCER_CONFIG) private readonly config: ProducerConfig,
    private readonly kafka: KafkaConnections,
  ) {
    this.events = new EventsRepository(dataSource);
  }

  async read(id: string, after?: WritePosition): Promise<EntityView> {
    // The same rules as ingest, so a read can never name an ID that could not have been written.
    validateEvent({ id, op: 'delete' }, this.config.limits);
    return this.toView(id, await this.readStored(id, after));
  }

  /** The ID's row in EVENTS (tombstones included), once the write named by `after` is applied. */
  async readStored(id: string, after?: WritePosition): Promise<StoredRecord | undefined> {
    if (after) await this.awaitApplied(after);
    return this.events.findStored(id);
  }

  /**
   * Why the ID is parked, or undefined when it is not (one indexed lookup in PARKED_IDS). An ID no
   * write could have named (read() answers it 400) is never parked, and never reaches the database.
   */
  async parkedReason(id: string): Promise<string | undefined> {
    if (!isWritableId(id, this.config.limits)) return undefined;
    return parkedReasonOf(this.dataSource, { consumerGroup: this.config.consumerGroup, topic: this.config.topics.topic }, id);
  }

  /**
   * Resolves once OPLOG shows the write at `position` applied (committed), waiting up to
   * READ_AFTER_TIMEOUT_MS (else ReadAfterTimeoutError, 504); a position past the partition's end is
   * bad input (`field`, past-end). Read-your-writes and the verdict read share it.
   */
  async awaitApplied(position: WritePosition, field = 'after'): Promise<void> {
    if (await this.watcher.waitPast(position.partition, position.offset, 0)) return;
    await this.refuseUnwritten(position, field);
    const reached = await this.watcher.waitPast(position.partition, position.offset, this.config.readAfterTimeoutMs);
    if (!reached) throw new ReadAfterTimeoutError(position.partition, position.offset, this.watcher.appliedUpTo(position.partition), this.config.readAfterTimeoutMs);
  }

  /**
   * A token past the partition's end names a write that never happened: waiting for it would only
   * time out (504), so it is bad input. Asked of Kafka only when OPLOG has not passed the offset.
   */
  private async refuseUnwritten({ partition, offset }: WritePosition, field: string): Promise<void> {
    const high = (await awaitWatermarks(this.kafka.admin, this.config.topics.topic)).get(partition)?.high ?? 0;
    if (offset >= high) {
      throw new ValidationError([{ field, rule: 'past-end', message: `partition ${partition} holds offsets below ${high} only: no write has this token` }]);
    }
  }

  /** The answer for a stored row; 404 for a tombstone, an expired ID (by this producer's clock) or no row. */
  toView(id: string, stored: StoredRecord | undefined): EntityView {
    if (!stored || !isReadable(stored.record, Date.now())) throw new EntityNotFoundError(id);
    const { record, updatedAt } = stored;
    return {
      ...(record.expiresAt === undefined ? {} : { expiresAt: new Date(record.expiresAt).toISOString() }),
      id,
      state: record.state ?? {},
      version: record.version,
      updatedAt: updatedAt.toISOString(),
      eventTs: new Date(record.eventTs).toISOString(),
      partition: record.partition,
      offset: record.lastOffset,
      source: 'database',
    };
  }
}

function isWritableId(id: string, limits: Parameters<typeof validateEvent>[1]): boolean {
  try {
    validateEvent({ id, op: 'delete' }, limits);
    return true;
  } catch {
    return false;
  }
}
