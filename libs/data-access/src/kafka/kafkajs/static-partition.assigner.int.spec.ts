import { createTestTopic, testKafka, uniqueName, waitFor } from '@async2/testing';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { staticPartitionAssigner } from './static-partition.assigner';

// Real Kafka: ownership is static through the group protocol. Every member gets exactly the
// partitions it advertises, whoever leads the group and whoever joins or leaves.

interface Member {
  consumer: Consumer;
  /** The assignment of every GROUP_JOIN this member saw, oldest first. */
  joins: Array<Record<string, number[]>>;
  joinedAt: number[];
  /** Partition of every record this member received. */
  received: Set<number>;
}

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let topic: string;
let dropTopic: () => Promise<void>;
const members: Member[] = [];

beforeAll(async () => {
  kafka = testKafka('static-assigner-test');
  admin = kafka.admin();
  await admin.connect();
  ({ topic, drop: dropTopic } = await createTestTopic(admin, 4));
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterAll(async () => {
  for (const m of members) await m.consumer.disconnect().catch(() => undefined);
  await producer?.disconnect();
  await dropTopic?.();
  await admin?.disconnect();
});

async function startMember(groupId: string, owned: number[]): Promise<Member> {
  const consumer = kafka.consumer({
    groupId,
    partitionAssigners: [staticPartitionAssigner(owned)],
    maxWaitTimeInMs: 100,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    allowAutoTopicCreation: false,
  });
  const member: Member = { consumer, joins: [], joinedAt: [], received: new Set() };
  members.push(member);
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    member.joins.push(payload.memberAssignment);
    member.joinedAt.push(Date.now());
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition }) => void member.received.add(partition) });
  return member;
}

const lastAssignment = (m: Member) => m.joins.at(-1);

async function groupState(groupId: string): Promise<string> {
  const [group] = (await admin.describeGroups([groupId])).groups;
  return `${group?.state} with ${group?.members.length}`;
}

describe('static partition ownership in one consumer group', () => {
  it('gives each member exactly the partitions it advertises, and only those records', async () => {
    await producer.send({ topic, acks: -1, messages: [0, 1, 2, 3].map((partition) => ({ partition, key: `k${partition}`, value: `v${partition}` })) });
    const groupId = uniqueName('static-group');

    // The first member leads and is alone at first: any "fair" assignor would give it all four.
    const first = await startMember(groupId, [0, 1]);
    await waitFor(() => first.joins.length > 0, { what: 'the first member to join' });
    const second = await startMember(groupId, [2, 3]);

    await waitFor(
      () =>
        JSON.stringify(lastAssignment(first)) === JSON.stringify({ [topic]: [0, 1] }) &&
        JSON.stringify(lastAssignment(second)) === JSON.stringify({ [topic]: [2, 3] }) &&
        first.received.size === 2 &&
        second.received.size === 2,
      { timeoutMs: 45_000, what: 'both members to be assigned their partitions and receive their records' },
    );
    expect([...first.received].sort()).toEqual([0, 1]);
    expect([...second.received].sort()).toEqual([2, 3]);
    // Not even transiently (e.g. while alone in the group) did a member hold another's partitions.
    for (const join of first.joins) expect(join).toEqual({ [topic]: [0, 1] });
    for (const join of second.joins) expect(join).toEqual({ [topic]: [2, 3] });
  });

  it('does not hand a leaving member’s partitions to the one that stays', async () => {
    const groupId = uniqueName('static-group');
    const stays = await startMember(groupId, [0, 1]);
    const leaves = await startMember(groupId, [2, 3]);
    await waitFor(async () => leaves.joins.length > 0 && (await groupState(groupId)) === 'Stable with 2', { timeoutMs: 45_000, what: 'a stable group of two' });

    await leaves.consumer.disconnect();
    const leftAt = Date.now();

    await waitFor(async () => stays.joinedAt.some((t) => t > leftAt) && (await groupState(groupId)) === 'Stable with 1', {
      timeoutMs: 30_000,
      what: 'the remaining member to rejoin alone',
    });
    expect(lastAssignment(stays)).toEqual({ [topic]: [0, 1] });
    for (const join of stays.joins) expect(join).toEqual({ [topic]: [0, 1] });
  });
});
