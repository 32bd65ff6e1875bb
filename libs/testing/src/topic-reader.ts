import { decodeEventRecord } from '@async2/data-access';
import { DEFAULT_EVENT_LIMITS, type StampedEvent } from '@async2/domain';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { uniqueName } from './test-services';
import { waitFor } from './wait-for';

export interface StoredEvent {
  partition: number;
  offset: number;
  event: StampedEvent;
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

/**
 * Reads every record of a topic up to its current end offsets and returns what `decode` makes of
 * each (records it answers undefined for are left out), in Kafka order per partition.
 */
export async function readTopic<T>(
  kafka: Kafka,
  topic: string,
  decode: (partition: number, offset: number, message: KafkaMessage) => T | undefined,
  timeoutMs = 60_000,
): Promise<T[]> {
  const ends = await topicEnds(kafka, topic);
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const seen = new Map<number, number>();
  const records: Array<{ partition: number; offset: number; value: T }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset);
      if (offset >= (ends.get(partition) ?? 0)) return;
      const value = decode(partition, offset, message);
      if (value !== undefined) records.push({ partition, offset, value });
      seen.set(partition, offset + 1);
    },
  });
  try {
    await waitFor(() => [...ends].every(([p, end]) => end === 0 || (seen.get(p) ?? 0) >= end), { timeoutMs, what: `reading ${topic} to its end` });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset).map((r) => r.value);
}

/** Every decodable event of a topic up to its current end offsets, in Kafka order per partition. */
export function readWholeTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<StoredEvent[]> {
  return readTopic(
    kafka,
    topic,
    (partition, offset, message) => {
      const decoded = decodeEventRecord(message.key, message.value, DEFAULT_EVENT_LIMITS);
      return decoded.ok ? { partition, offset, event: decoded.event } : undefined;
    },
    timeoutMs,
  );
}
