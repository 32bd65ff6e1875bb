import { decodeEventRecord } from '@async2/data-access';
import { DEFAULT_EVENT_LIMITS, type StampedEvent } from '@async2/domain';
import type { Kafka } from 'kafkajs';
import { uniqueName } from './test-services';
import { waitFor } from './wait-for';

export interface StoredEvent {
  partition: number;
  offset: number;
  event: StampedEvent;
}

/** Reads every record of a topic up to its current end offsets, in Kafka order per partition. */
export async function readWholeTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<StoredEvent[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  const seen = new Map<number, number>();
  const events: StoredEvent[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const offset = Number(message.offset);
      if (offset >= (ends.get(partition) ?? 0)) return;
      const decoded = decodeEventRecord(message.key, message.value, DEFAULT_EVENT_LIMITS);
      if (decoded.ok) events.push({ partition, offset, event: decoded.event });
      seen.set(partition, offset + 1);
    },
  });
  try {
    await waitFor(() => [...ends].every(([p, end]) => end === 0 || (seen.get(p) ?? 0) >= end), { timeoutMs, what: `reading ${topic} to its end` });
  } finally {
    await consumer.disconnect();
  }
  return events.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
