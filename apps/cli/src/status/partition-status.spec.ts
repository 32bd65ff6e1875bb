import { MetricsScrape, parsePrometheusText } from '@async2/data-access';
import { consumerLanes } from './consumer-lanes';
import { type StatusFacts, partitionStatuses } from './partition-status';

const TOPIC_ID = 'a'.repeat(32);
const at = new Date('2026-11-30T12:00:00Z');
const row = (partition: number, nextOffset: number, topicId: string | null = TOPIC_ID) => ({ partition, nextOffset, epoch: 3, owner: `consumer-${partition}`, topicId, updatedAt: at });

function facts(overrides: Partial<StatusFacts>): StatusFacts {
  return {
    topic: 'events',
    topicId: TOPIC_ID,
    consumerGroup: 'async2-consumer',
    partitionCount: 1,
    startOffsets: new Map([[0, 0]]),
    endOffsets: new Map([[0, 100]]),
    oplog: [row(0, 90)],
    consumers: [],
    ...overrides,
  };
}

describe('partitionStatuses', () => {
  it('reports owner, epoch, committed and end offsets and the lag between them', () => {
    expect(partitionStatuses(facts({}))).toEqual([
      { partition: 0, owner: 'consumer-0', epoch: 3, committedOffset: 90, logStartOffset: 0, endOffset: 100, lag: 10, lastChange: at, state: 'ok', lanes: [], parked: [] },
    ]);
  });

  it('lists the parked IDs of each partition', () => {
    const statuses = partitionStatuses(facts({ partitionCount: 2, endOffsets: new Map([[0, 100], [1, 7]]), parked: new Map([[1, ['user-7', 'user-9']]]) }));
    expect(statuses.map((s) => s.parked)).toEqual([[], ['user-7', 'user-9']]);
  });

  it('lists every partition of the topic, a partition without an OPLOG row as unclaimed with all of it as lag', () => {
    const statuses = partitionStatuses(facts({ partitionCount: 2, endOffsets: new Map([[0, 100], [1, 7]]) }));
    expect(statuses[1]).toMatchObject({ partition: 1, owner: null, epoch: null, committedOffset: null, lag: 7, state: 'unclaimed' });
  });

  it('says gap when the log starts above the committed offset (records removed before they were applied)', () => {
    expect(partitionStatuses(facts({ startOffsets: new Map([[0, 95]]) }))[0]).toMatchObject({ state: 'gap', lag: 10 });
    expect(partitionStatuses(facts({ startOffsets: new Map([[0, 90]]) }))[0].state).toBe('ok');
  });

  it('says beyond-end or topic-changed, with no lag, when OPLOG counts offsets Kafka does not have', () => {
    expect(partitionStatuses(facts({ oplog: [row(0, 101)] }))[0]).toMatchObject({ state: 'beyond-end', lag: null });
    expect(partitionStatuses(facts({ oplog: [row(0, 5, 'b'.repeat(32))] }))[0]).toMatchObject({ state: 'topic-changed', lag: null });
    expect(partitionStatuses(facts({ oplog: [row(0, 5, null)] }))[0].state).toBe('ok'); // a row from before topic ids adopts it at the next claim
  });

  it("adds each consumer's lane for the partition from its /metrics", () => {
    const scrape = (text: string) => new MetricsScrape(parsePrometheusText(text));
    const zombie = consumerLanes('http://a:3001', scrape('async2_partition_lag{partition="0"} 4\nasync2_fenced_total{partition="0"} 1\nasync2_paused_partitions{reason="fenced"} 1\n'));
    const owner = consumerLanes('http://b:3001', scrape('async2_partition_lag{partition="0"} 0\nasync2_partition_lag{partition="1"} 0\nasync2_offset_gaps_total{partition="1"} 1\n'));
    const statuses = partitionStatuses(facts({ partitionCount: 2, consumers: [zombie, owner] }));
    expect(statuses[0].lanes).toEqual([{ consumer: 'http://a:3001', lane: 'fenced' }, { consumer: 'http://b:3001', lane: 'active' }]);
    expect(statuses[1].lanes).toEqual([{ consumer: 'http://b:3001', lane: 'stopped-at-gap' }]);
    expect(zombie.paused).toEqual({ fenced: 1, bufferFull: 0, offsetGap: 0 });
  });
});
