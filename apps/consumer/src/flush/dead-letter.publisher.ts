import type { KafkaRecord, RecordSender } from '@async2/data-access';
import { partitionForKey } from '@async2/domain';

/** A record that will not be applied, with the bytes it arrived with and the reason. */
export interface DeadLetter {
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
  partition: number;
  offset: number;
}

/**
 * Publishes to the DLQ topic (acks=all) before the flush that moves the offset past the records,
 * so a poison record is never dropped silently. After a crash between the two it may be published
 * again: the DLQ is at-least-once; `x-source-partition`/`x-source-offset` identify duplicates.
 */
export class DeadLetterPublisher {
  /** @param partitionCount the DLQ topic's partition count (see deadLetterPartition). */
  constructor(private readonly sender: RecordSender, private readonly topic: string, private readonly sourceTopic: string, private readonly partitionCount: number) {}

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.sender.send(this.topic, letters.map((letter) => this.record(letter)));
  }

  private record(letter: DeadLetter): KafkaRecord {
    return {
      partition: deadLetterPartition(letter, this.partitionCount),
      key: letter.key,
      value: letter.value,
      headers: {
        'x-dlq-reason': letter.reason,
        'x-source-topic': this.sourceTopic,
        'x-source-partition': String(letter.partition),
        'x-source-offset': String(letter.offset),
      },
    };
  }
}

/**
 * A keyed letter goes where Kafka's default partitioner puts its key bytes (readers of the DLQ by
 * key find it where a plain producer would have put it); a letter without a key goes by its
 * source partition, so one source partition's keyless letters stay in order in one DLQ partition.
 */
export function deadLetterPartition(letter: Pick<DeadLetter, 'key' | 'partition'>, partitionCount: number): number {
  return letter.key === null ? letter.partition % partitionCount : partitionForKey(letter.key, partitionCount);
}
