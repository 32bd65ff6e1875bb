import { decodeChangeRecord } from '@async2/data-access';
import type { CommittedChange } from '@async2/domain';
import { uniqueName, waitFor } from '@async2/testing';
import type { Kafka } from 'kafkajs';

export interface StoredChange {
  partition: number;
  offset: number;
  change: CommittedChange;
}

/** End offsets of every partition of a topic. */
export async function topicEnds(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Every record of the change topic up to its current end, in order per partition. */
export async function readChangeTopic(kafka: Kafka, topic: string): Promise<StoredChange[]> {
  const ends = await topicEnds(kafka, topic);
  const consumer = kafka.consumer({ groupId: uniqueName('change-reader'), maxWaitTimeInMs: 100 });
  const seen = new Map<number, number>();
  const changes: StoredChange[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset);
      if (offset >= (ends.get(partition) ?? 0)) return;
      const decoded = decodeChangeRecord(message.key, message.value);
      if (!decoded.ok) throw new Error(`change topic ${partition}@${offset}: ${decoded.reason}`);
      changes.push({ partition, offset, change: decoded.change });
      seen.set(partition, offset + 1);
    },
  });
  try {
    await waitFor(() => [...ends].every(([p, end]) => end === 0 || (seen.get(p) ?? 0) >= end), { timeoutMs: 60_000, what: `reading ${topic} to its end` });
  } finally {
    await consumer.disconnect();
  }
  return changes.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** The cursor text for a map of offsets (the server's format: "p:o,p:o", partition order). */
export function cursorText(offsets: ReadonlyMap<number, number>): string {
  return [...offsets].sort(([a], [b]) => a - b).map(([p, o]) => `${p}:${o}`).join(',');
}

export function parseCursorText(text: string): Map<number, number> {
  return new Map(text.split(',').map((pair) => pair.split(':').map(Number) as [number, number]));
}
