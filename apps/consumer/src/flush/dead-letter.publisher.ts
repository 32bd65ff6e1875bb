import type { IdempotentSender } from '@async2/data-access';

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
  constructor(private readonly producer: IdempotentSender, private readonly topic: string, private readonly sourceTopic: string) {}

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((letter) => ({
        key: letter.key,
        value: letter.value,
        headers: {
          'x-dlq-reason': letter.reason,
          'x-source-topic': this.sourceTopic,
          'x-source-partition': String(letter.partition),
          'x-source-offset': String(letter.offset),
        },
      })),
    });
  }
}
