import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

/** One record of the partition, in offset order. */
export interface PartitionRecord {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
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
 * (or throws). kafkajs has no manual assign() (tulios/kafkajs#373), so this joins a group of its
 * own (a fresh random id: no one else's offsets move, nothing is committed), pauses every other
 * partition it is given, and seeks this one; records below `fromOffset` (a fetch that began before
 * the seek landed, tulios/kafkajs#122) are skipped, and a record above the next expected offset
 * is a gap: RecordsRemovedError. `idleTimeoutMs`: the longest it waits for a batch.
 */
export async function readPartition(
  kafka: Kafka,
  topic: string,
  partition: number,
  fromOffset: number,
  handle: (records: PartitionRecord[]) => Promise<ReadStep>,
  idleTimeoutMs = 60_000,
): Promise<void> {
  const consumer = kafka.consumer({ groupId: `async2-reader-${randomUUID()}`, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
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
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (done) return;
        if (batch.partition !== partition) {
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          return;
        }
        lastBatchAt = Date.now();
        const records: PartitionRecord[] = [];
        for (const message of batch.messages as KafkaMessage[]) {
          const offset = Number(message.offset);
          if (offset < expected) continue;
          if (offset > expected) return finish(new RecordsRemovedError(topic, partition, expected, offset));
          records.push({ offset, key: message.key, value: message.value });
          expected = offset + 1;
        }
        try {
          if ((await handle(records)) === 'done') finish();
        } catch (error) {
          finish(error as Error);
        }
      },
    });
    consumer.seek({ topic, partition, offset: String(fromOffset) });
    await finished;
  } finally {
    clearInterval(idle);
    await consumer.disconnect().catch(() => undefined);
  }
}
