import { withDeadline } from './deadline';
import type { KafkaAdmin, Watermarks } from './kafka.port';

/** How long a question is asked again by default before its last error is thrown. */
const ANSWER_TIMEOUT_MS = 15_000;

/**
 * Asks again until Kafka answers, for at most `timeoutMs`: a topic created a moment ago may not be
 * in every broker's metadata yet, and a partition may be between leaders (an election, a broker
 * restart). At boot that is a wait, not a reason to exit.
 */
async function untilAnswered<T>(ask: () => Promise<T | undefined>, timeoutMs: number, failure: () => Error): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const answer = await ask();
      if (answer !== undefined) return answer;
      if (Date.now() > deadline) throw failure();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** P, read from the topic's metadata (never from configuration that could drift from it), waiting until it answers. */
export function awaitPartitionCount(admin: KafkaAdmin, topic: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<number> {
  return untilAnswered(
    async () => {
      const count = await admin.partitionCount(topic);
      return count > 0 ? count : undefined;
    },
    timeoutMs,
    () => new Error(`topic ${topic} has no partitions`),
  );
}

/** Log start and high watermark of every partition, waiting until every partition's leader answers. */
export function awaitWatermarks(admin: KafkaAdmin, topic: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<Map<number, Watermarks>> {
  return untilAnswered(
    async () => {
      const watermarks = await admin.watermarks(topic);
      return watermarks.size > 0 ? watermarks : undefined;
    },
    timeoutMs,
    () => new Error(`no offsets for ${topic}`),
  );
}

/**
 * A partition's end offset (high watermark), asked once and bounded by `timeoutMs`: what a claim
 * reads while it holds the partition's OPLOG row (OplogRepository.claim), where waiting longer
 * would hold the lock (and PostgreSQL ends a session idle in its transaction).
 */
export function partitionEndReader(admin: KafkaAdmin, topic: string, partition: number, timeoutMs: number): () => Promise<number> {
  return async () => {
    const ends = await withDeadline(admin.endOffsets(topic), timeoutMs, () => new Error(`partition ${partition} of ${topic}: Kafka gave no end offset within ${timeoutMs} ms`));
    const end = ends.get(partition);
    if (end === undefined) throw new Error(`partition ${partition} of ${topic}: Kafka reported no end offset for it`);
    return end;
  };
}
