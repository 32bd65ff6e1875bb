import { randomUUID } from 'node:crypto';
import type { KafkaPort } from './port/kafka.port';

/** One record of the partition, in offset order. */
export interface PartitionRecord {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values (a control record is told apart by one: parked-control.v1.ts). */
  headers?: Record<string, Buffer>;
}

/** What the handler says after each batch: read on, or stop here. */
export type ReadStep = 'more' | 'done';

/** A record above the next expected offset: records were removed (retention, deleteRecords) while they were being read. */
export class RecordsRemovedError extends Error {
  readonly code = 'RECORDS_REMOVED';
  readonly retriable = false;
  constructor(readonly topic: string, readonly partition: number, readonly expected: number, readonly found: number) {
    super(`${topic}-${partition}: expected offset ${expected}, found ${found}: offsets ${expected}..${found - 1} were removed from Kafka while they were being read`);
    this.name = 'RecordsRemovedError';
  }
}

/**
 * Reads one partition from `fromOffset` on, in order, batch by batch, until `handle` answers 'done'
 * (or throws), through the Kafka port's source (a group of its own with a fresh random id: no one
 * else's offsets move, nothing is mirrored). A record below the next expected offset is skipped (a
 * fetch from before a seek), one above it is a gap: RecordsRemovedError. `idleTimeoutMs`: the
 * longest it waits for a batch.
 */
export async function readPartition(
  port: KafkaPort,
  topic: string,
  partition: number,
  fromOffset: number,
  handle: (records: PartitionRecord[]) => Promise<ReadStep>,
  idleTimeoutMs = 60_000,
): Promise<void> {
  let expected = fromOffset;
  let settle!: (error?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
  let done = false;
  let lastBatchAt = Date.now();
  const finish = (error?: Error) => {
    if (done) return;
    done = true;
    settle(error);
  };
  const idle = setInterval(() => {
    if (Date.now() - lastBatchAt > idleTimeoutMs) finish(new Error(`${topic}-${partition}: no records arrived for ${idleTimeoutMs} ms while reading from offset ${expected}`));
  }, 1000);
  const source = await port.source({
    topic,
    from: new Map([[partition, fromOffset]]),
    groupId: `async2-reader-${randomUUID()}`,
    maxWaitMs: 250,
    onFailure: (error) => finish(error),
    handle: async (batch) => {
      if (done || batch.partition !== partition) return;
      lastBatchAt = Date.now();
      const records: PartitionRecord[] = [];
      for (const record of batch.records) {
        if (record.offset < expected) continue;
        if (record.offset > expected) return finish(new RecordsRemovedError(topic, partition, expected, record.offset));
        records.push({ offset: record.offset, key: record.key, value: record.value, headers: record.headers });
        expected = record.offset + 1;
      }
      try {
        if ((await handle(records)) === 'done') finish();
      } catch (error) {
        finish(error as Error);
      }
    },
  });
  try {
    await finished;
  } finally {
    clearInterval(idle);
    await source.close().catch(() => undefined);
  }
}
