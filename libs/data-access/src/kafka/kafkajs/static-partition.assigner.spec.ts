import { AssignerProtocol, type Assigner, type GroupMember } from 'kafkajs';
import { STATIC_ASSIGNER_NAME, staticPartitionAssigner } from './static-partition.assigner';

const TOPICS = ['events'];

function assignerFor(owned: number[]): Assigner {
  // The assigner ignores kafkajs's cluster, group id and logger.
  return staticPartitionAssigner(owned)({} as Parameters<ReturnType<typeof staticPartitionAssigner>>[0]);
}

function memberWith(memberId: string, userData: Buffer): GroupMember {
  return { memberId, memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics: TOPICS, userData }) };
}

/** Runs the leader's assign() and decodes what each member receives. */
async function assignments(leader: Assigner, members: GroupMember[], topics = TOPICS) {
  const result = await leader.assign({ members, topics });
  return Object.fromEntries(result.map((a) => [a.memberId, AssignerProtocol.MemberAssignment.decode(a.memberAssignment)?.assignment]));
}

describe('staticPartitionAssigner', () => {
  const a = assignerFor([0, 1]);
  const b = assignerFor([2, 3]);
  const members = (): GroupMember[] => [
    { memberId: 'member-a', memberMetadata: a.protocol({ topics: TOPICS }).metadata },
    { memberId: 'member-b', memberMetadata: b.protocol({ topics: TOPICS }).metadata },
  ];

  it('advertises under its own protocol name', () => {
    expect(a.name).toBe(STATIC_ASSIGNER_NAME);
    expect(a.protocol({ topics: TOPICS }).name).toBe(STATIC_ASSIGNER_NAME);
  });

  it.each([
    ['a', a],
    ['b', b],
  ])('whichever member leads (%s), each member gets exactly the partitions it advertised', async (_leader, leader) => {
    expect(await assignments(leader, members())).toEqual({ 'member-a': { events: [0, 1] }, 'member-b': { events: [2, 3] } });
  });

  it('gives the advertised partitions on every subscribed topic', async () => {
    expect(await assignments(a, members(), ['events', 'other'])).toEqual({
      'member-a': { events: [0, 1], other: [0, 1] },
      'member-b': { events: [2, 3], other: [2, 3] },
    });
  });

  it.each([
    ['not JSON', Buffer.from('\u0000garbage{')],
    ['empty', Buffer.alloc(0)],
    ['JSON without partitions', Buffer.from('{"owned":[1]}')],
    ['partitions not a list', Buffer.from('{"partitions":"1,2"}')],
    ['JSON null', Buffer.from('null')],
  ])('userData %s -> that member gets nothing; the others are unaffected', async (_case, userData) => {
    const result = await assignments(a, [...members(), memberWith('member-x', userData)]);
    expect(result).toEqual({ 'member-a': { events: [0, 1] }, 'member-b': { events: [2, 3] }, 'member-x': { events: [] } });
  });

  it('ignores advertised values that are not partition numbers', async () => {
    const result = await assignments(a, [memberWith('member-x', Buffer.from(JSON.stringify({ partitions: [1, -1, 2.5, '3', null, 4] })))]);
    expect(result).toEqual({ 'member-x': { events: [1, 4] } });
  });
});
