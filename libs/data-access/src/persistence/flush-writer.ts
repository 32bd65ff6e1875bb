import type { EntityRecord, ProducerMarksPlan } from '@async2/domain';
import type { DataSource } from 'typeorm';
import { ADVANCE_UNDER_EPOCH } from './epoch-fence';
import type { OplogKey } from './oplog.repository';
import { writeProducerMarks } from './producer-marks.repository';

/** One partition's flush: the changed records and the offset that follows the last folded event. */
export interface FlushBatch {
  key: OplogKey;
  partition: number;
  epoch: number;
  nextOffset: number;
  records: readonly EntityRecord[];
  /** The record identities applied up to nextOffset (omitted: none changed). */
  producerMarks?: ProducerMarksPlan;
}

/** `refused`: rows not written because EVENTS holds a higher version of the ID (never moved backwards). */
export type FlushResult = { kind: 'committed'; rows: number; refused: number } | { kind: 'fenced' };

// One set-based statement for all changed IDs: arrays through unnest, so no 65,535 bind-parameter
// cap and no statement per row. Each ID appears once (the fold ran first), which ON CONFLICT needs.
// A version never moves backwards: a row whose stored version is higher (another writer of the
// ID, e.g. a record on the wrong partition folded by another lane) is left alone and counted.
const UPSERT_ROWS = `INSERT INTO events AS e
    (id, state, deleted, version, partition, last_offset, event_ts, updated_at, recent_event_ids, field_times)
  SELECT u.id, u.state, u.deleted, u.version, u.partition, u.last_offset,
         to_timestamp(u.event_ts_ms / 1000.0), now(), u.recent_event_ids, u.field_times
  FROM unnest($1::text[], $2::jsonb[], $3::boolean[], $4::bigint[], $5::integer[], $6::bigint[], $7::float8[], $8::jsonb[], $9::jsonb[])
    AS u(id, state, deleted, version, partition, last_offset, event_ts_ms, recent_event_ids, field_times)
  ON CONFLICT (id) DO UPDATE SET
    state = EXCLUDED.state, deleted = EXCLUDED.deleted, version = EXCLUDED.version,
    partition = EXCLUDED.partition, last_offset = EXCLUDED.last_offset, event_ts = EXCLUDED.event_ts,
    updated_at = EXCLUDED.updated_at, recent_event_ids = EXCLUDED.recent_event_ids, field_times = EXCLUDED.field_times
  WHERE e.version <= EXCLUDED.version`;

// The same upsert, and its changes into the transactional outbox of the change stream, still one
// statement: what the upsert wrote (RETURNING) is exactly what the outbox gets, in the same transaction.
const UPSERT_EVENTS_AND_OUTBOX = `WITH written AS (${UPSERT_ROWS}
  RETURNING e.id, e.state, e.deleted, e.version, e.partition, e.last_offset, e.event_ts)
  INSERT INTO change_outbox (id, state, deleted, version, partition, source_offset, event_ts)
  SELECT id, state, deleted, version, partition, last_offset, event_ts FROM written`;

export interface FlushWriterOptions {
  /** Runs inside the transaction after the upsert, before COMMIT (fault tests crash there). */
  beforeCommit?: () => void;
  /** Also write each change to CHANGE_OUTBOX for the change stream (default true; off only to measure its cost). */
  changeOutbox?: boolean;
}

/**
 * Writes one flush in ONE transaction: OPLOG.next_offset guarded by the epoch, then the absolute
 * state of every changed ID and its change in CHANGE_OUTBOX, then the producer marks (record
 * identities applied up to that offset). All are durable or none; a fenced flush changes nothing.
 */
export class FlushWriter {
  private readonly upsert: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly hooks: FlushWriterOptions = {},
  ) {
    this.upsert = hooks.changeOutbox === false ? UPSERT_ROWS : UPSERT_EVENTS_AND_OUTBOX;
  }

  async commit(batch: FlushBatch): Promise<FlushResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // Fence first (rule 2 of epoch-fence.ts): the UPDATE locks the OPLOG row, so a concurrent
      // claim either committed before us (zero rows: roll back) or waits until we commit.
      const advanced = await runner.query(
        ADVANCE_UNDER_EPOCH,
        [batch.key.consumerGroup, batch.key.topic, batch.partition, batch.epoch, batch.nextOffset],
        true,
      );
      if (advanced.affected !== 1) {
        await runner.rollbackTransaction();
        return { kind: 'fenced' };
      }
      // Rows written = affected rows of the statement (the upsert's, or the outbox insert of what it wrote).
      const written = batch.records.length > 0 ? (await runner.query(this.upsert, upsertParameters(batch.records), true)).affected ?? 0 : 0;
      if (batch.producerMarks) await writeProducerMarks(runner, batch.key, batch.partition, batch.producerMarks);
      this.hooks.beforeCommit?.();
      await runner.commitTransaction();
      return { kind: 'committed', rows: written, refused: batch.records.length - written };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}

function upsertParameters(records: readonly EntityRecord[]): unknown[] {
  const n = records.length;
  const ids = new Array<string>(n);
  const states = new Array<string | null>(n);
  const deleted = new Array<boolean>(n);
  const versions = new Array<number>(n);
  const partitions = new Array<number>(n);
  const offsets = new Array<number>(n);
  const timestamps = new Array<number>(n);
  const eventIds = new Array<string>(n);
  const fieldTimes = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const r = records[i];
    ids[i] = r.id;
    states[i] = r.deleted || r.state === null ? null : JSON.stringify(r.state);
    deleted[i] = r.deleted;
    versions[i] = r.version;
    partitions[i] = r.partition;
    offsets[i] = r.lastOffset;
    timestamps[i] = r.eventTs;
    eventIds[i] = JSON.stringify(r.recentEventIds);
    fieldTimes[i] = r.fieldTimes === undefined ? null : JSON.stringify(r.fieldTimes);
  }
  return [ids, states, deleted, versions, partitions, offsets, timestamps, eventIds, fieldTimes];
}
