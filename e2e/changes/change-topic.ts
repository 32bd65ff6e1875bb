import { decodeChangeRecord } from '@async2/data-access';
import type { CommittedChange } from '@async2/domain';
import { readTopic } from '@async2/testing';
import type { Kafka } from 'kafkajs';

export interface StoredChange {
  partition: number;
  offset: number;
  change: CommittedChange;
}

/** Every record of the change topic up to its current end, in order per partition. */
export function readChangeTopic(kafka: Kafka, topic: string): Promise<StoredChange[]> {
  return readTopic(kafka, topic, (partition, offset, message) => {
    const decoded = decodeChangeRecord(message.key, message.value);
    if (!decoded.ok) throw new Error(`change topic ${partition}@${offset}: ${decoded.reason}`);
    return { partition, offset, change: decoded.change };
  });
}

/** The offsets a cursor names ("p:o,p:o"), without the server's checks. */
export function parseCursorText(text: string): Map<number, number> {
  return new Map(text.split(',').map((pair) => pair.split(':').map(Number) as [number, number]));
}
