import { planTopicPartitions } from './topic-partition-plan';

describe('planTopicPartitions', () => {
  it('creates a missing topic with the configured count', () => {
    expect(planTopicPartitions(undefined, 8, false)).toEqual({ action: 'create', partitions: 8 });
  });

  it('keeps a topic that already has the configured count', () => {
    expect(planTopicPartitions(8, 8, false)).toEqual({ action: 'keep', partitions: 8 });
  });

  it('refuses to raise unless asked, naming the variable and the procedure', () => {
    const plan = planTopicPartitions(4, 8, false);
    expect(plan.action).toBe('refuse');
    expect(plan.action === 'refuse' && plan.reason).toMatch(/KAFKA_TOPIC_PARTITIONS=8.*--raise-partitions/);
  });

  it('raises when asked', () => {
    expect(planTopicPartitions(4, 8, true)).toEqual({ action: 'raise', from: 4, to: 8 });
  });

  it('refuses a topic with more partitions than configured, even when raising is allowed', () => {
    const plan = planTopicPartitions(8, 4, true);
    expect(plan.action).toBe('refuse');
    expect(plan.action === 'refuse' && plan.reason).toMatch(/partitions 4\.\.7 would have no consumer/);
  });
});
