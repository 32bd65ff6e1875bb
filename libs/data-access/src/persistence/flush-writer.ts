import { type EntityRecord, ParkedIds, type ParkedPlan, type ProducerMarksPlan, type VerdictEntry } from '@async2/domain';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { flushRowsCopyText, stageFlushRows } from './flush-rows';
import { type FlushStatementAnswer, flushParameters, flushStatement } from './flush-statement';
import type { OplogKey } from './oplog.repository';
import { writeParked } from './parked-statement';
import { INSERT_VERDICTS, verdictParameters } from './verdict-statement';

/** One partition's flush: the changed records and the offset that follows the last folded event. */
export interface FlushBatch {
  key: OplogKey;
  partition: number;
  epoch: number;
  nextOffset: number;
  records: readonly EntityRecord[];
  /** The record identities applied up to nextOffset (omitted: none changed). */
  producerMarks?: ProducerMarksPlan;
  /** The verdicts of the conditional events up to nextOffset (omitted: none). */
  verdicts?: readonly VerdictEntry[];
  /** The parked store's changes (omitted: none; see parked-statement.ts). */
  parked?: ParkedPlan;
}

/** `refused`: rows not written because EVENTS holds a higher version of the ID (never moved backwards). */
export type FlushResult = { kind: 'committed'; rows: number; refused: number } | { kind: 'fenced' };

export interface FlushWriterOptions {
  /** Runs inside the transaction after the flush statement, before COMMIT (fault tests crash or freeze there). */
  beforeCommit?: () => void | Promise<void>;
  /** Also write each change to CHANGE_OUTBOX for the change stream (default true; off only to measure its cost). */
  changeOutbox?: boolean;
}

/**
 * Writes one flush in ONE transaction of five round trips: BEGIN, the session's FLUSH_ROWS table if
 * it has none yet, the COPY of the changed rows into it (flush-rows.ts), the flush statement (OPLOG's
 * next_offset guarded by the epoch, the absolute state of every changed ID and its change in
 * CHANGE_OUTBOX, the producer marks: see flush-statement.ts), COMMIT. Its parameters and the COPY's
 * text are built before BEGIN. Nothing before the statement is visible outside the transaction, and
 * the OPLOG row lock is taken by the statement. All are durable or none; a fenced flush changes nothing.
 */
export class FlushWriter {
  private readonly statement: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly hooks: FlushWriterOptions = {},
  ) {
    this.statement = flushStatement(hooks.changeOutbox !== false);
  }

  async commit(batch: FlushBatch): Promise<FlushResult> {
    const parameters = flushParameters(batch);
    const rows = batch.records.length > 0 ? flushRowsCopyText(batch.records) : undefined;
    const runner = this.dataSource.createQueryRunner();
    // TypeORM's Postgres query runner connects to, and answers with, the pool's pg client.
    const client = (await runner.connect()) as PoolClient;
    try {
      await runner.startTransaction();
      await stageFlushRows(runner, client, rows);
      const { records } = await runner.query(this.statement, parameters, true);
      const answer = records[0] as FlushStatementAnswer;
      if (answer.advanced !== 1) {
        await runner.rollbackTransaction();
        return { kind: 'fenced' };
      }
      // Under the fence: the statement above holds the OPLOG row lock until COMMIT (verdict-statement.ts).
      if (batch.verdicts?.length) await runner.query(INSERT_VERDICTS, verdictParameters(batch.key, batch.partition, batch.verdicts));
      if (batch.parked && !ParkedIds.isEmpty(batch.parked)) await writeParked(runner, batch.key, batch.partition, batch.parked);
      await this.hooks.beforeCommit?.();
      await runner.commitTransaction();
      return { kind: 'committed', rows: answer.written, refused: batch.records.length - answer.written };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
