import { DomainError, type ParkedAction, ValidationError, partitionForKey } from '@async2/domain';
import type { DataSource } from 'typeorm';
import { encodeParkedControl } from '../kafka/parked-control.v1';
import type { RecordSender } from '../kafka/port/kafka.port';
import type { OplogKey } from '../persistence/oplog.repository';
import { type ParkedRepository, type ParkedSummary } from '../persistence/parked.repository';

/** The ID is not parked (never was, or already released): nothing was sent. */
export class ParkedIdNotFoundError extends DomainError {
  readonly code = 'not_parked';
  readonly retriable = false;
  constructor(readonly id: string) {
    super(`${JSON.stringify(id)} is not parked (async2 parked list shows the parked IDs)`);
    this.name = 'ParkedIdNotFoundError';
  }
}

/**
 * The request named the parking it answers (the refused event's offset the operator saw), and the
 * ID is parked at another event now (released since, and refused again): nothing was sent.
 */
export class ParkedElsewhereError extends DomainError {
  readonly code = 'parked_at_another_event';
  readonly retriable = false;
  constructor(
    readonly id: string,
    readonly asked: number,
    readonly current: number,
  ) {
    super(`${JSON.stringify(id)} is parked at the refused event at offset ${current} now, not at ${asked}: that parking was released; look at it again (async2 parked show) before releasing this one`);
    this.name = 'ParkedElsewhereError';
  }
}

/** What a replay or discard request did: the control record's place in the ID's partition. */
export interface ParkedRequest {
  id: string;
  action: ParkedAction;
  /** The parking it answers: the offset of the refused event (the consumer ignores it if the ID parked again since). */
  refusedOffset: number;
  partition: number;
  /** The control record's offset: the owner releases the ID when its fold reaches it. */
  offset: number;
  /** The kept events when the request was sent (the refused one first). */
  events: number;
}

/**
 * The operator's side of parking (docs/parking.md), one home for the admin endpoint and the CLI:
 * list and show read the parked store; replay and discard check the ID is parked, then write a
 * control record to the ID's partition (parked-control.v1.ts). The partition's owner folds it in
 * Kafka order with the ID's events and commits the outcome under the epoch fence: no request
 * writes EVENTS or the parked store itself. Bad input is refused before anything is sent.
 */
export class ParkedAdmin {
  constructor(
    private readonly parked: ParkedRepository,
    private readonly key: OplogKey,
    private readonly partitionCount: number,
    private readonly send: () => Promise<RecordSender>,
  ) {}

  async list(partition?: number): Promise<ParkedSummary[]> {
    if (partition !== undefined && !(Number.isSafeInteger(partition) && partition >= 0 && partition < this.partitionCount)) {
      throw new ValidationError([{ field: 'partition', rule: 'range', message: `topic ${this.key.topic} has no partition ${partition}: it has ${this.partitionCount} (0-${this.partitionCount - 1})` }]);
    }
    return this.parked.list(this.key, partition);
  }

  async show(id: string): Promise<NonNullable<Awaited<ReturnType<ParkedRepository['find']>>>> {
    const found = await this.parked.find(this.key, id);
    if (!found) throw new ParkedIdNotFoundError(id);
    return found;
  }

  /**
   * Sends the control record for a parked ID; `by` names who asked (an API key's name, or the CLI).
   * With `refusedOffset` (the parking the operator looked at), an ID parked at another event now is
   * refused (ParkedElsewhereError): a request made for one refused event never discards another.
   */
  async request(id: string, action: ParkedAction, by: string, refusedOffset?: number): Promise<ParkedRequest> {
    const found = await this.show(id);
    if (refusedOffset !== undefined && refusedOffset !== found.refusedOffset) throw new ParkedElsewhereError(id, refusedOffset, found.refusedOffset);
    const partition = partitionForKey(Buffer.from(id, 'utf8'), this.partitionCount);
    const record = encodeParkedControl({ id, action, refusedOffset: found.refusedOffset, ts: Date.now(), by });
    const [offset] = await (await this.send()).send(this.key.topic, [{ partition, ...record }]);
    return { id, action, refusedOffset: found.refusedOffset, partition, offset, events: found.events };
  }
}

/** Whether `id`'s parked store rows are there, for `DataSource` users without the admin (reads). */
export async function parkedReasonOf(dataSource: DataSource, key: OplogKey, id: string): Promise<string | undefined> {
  const [row]: Array<{ reason: string }> = await dataSource.query('SELECT reason FROM parked_ids WHERE consumer_group = $1 AND topic = $2 AND id = $3', [key.consumerGroup, key.topic, id]);
  return row?.reason;
}
