/**
 * A topic's max.message.bytes (its own setting, or the broker's message.max.bytes it inherits) is
 * the largest record batch the broker takes for one of its partitions: a produce request carrying a
 * larger batch is refused whole (MESSAGE_TOO_LARGE). The configured value as a positive integer,
 * or an error naming the topic.
 */
export function usableMaxMessageBytes(topic: string, configured: string | undefined): number {
  const value = Number(configured);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`topic ${topic} has no usable max.message.bytes (${configured})`);
  return value;
}
