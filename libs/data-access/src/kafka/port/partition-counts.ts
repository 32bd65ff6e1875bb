import { UnknownTopicError } from './send-errors';

/**
 * Partition counts remembered per topic for the sender's life (a failed lookup is not
 * remembered): a send checks its partitions (checkPartitions) without a metadata round trip. A
 * topic that grows keeps its old partitions, so an old count still names real ones.
 *
 * @param lookup the count from the topic's metadata, or undefined when the topic does not exist.
 */
export function cachedPartitionCount(lookup: (topic: string) => Promise<number | undefined>): (topic: string) => Promise<number> {
  const counts = new Map<string, Promise<number>>();
  return (topic) => {
    let count = counts.get(topic);
    if (!count) {
      count = lookup(topic).then((n) => {
        if (n === undefined) throw new UnknownTopicError(topic);
        return n;
      });
      counts.set(topic, count);
      count.catch(() => counts.delete(topic));
    }
    return count;
  };
}
