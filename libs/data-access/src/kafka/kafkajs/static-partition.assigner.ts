import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const STATIC_ASSIGNER_NAME = 'async2-static-ownership';

/**
 * kafkajs has no manual assign() (tulios/kafkajs#373), so ownership is static through the group
 * protocol: every member advertises the partitions it owns in its member metadata (userData),
 * and the leader gives each member exactly those. The group is only a transport here; OPLOG's
 * epoch is the fence, whatever the group decides.
 */
export function staticPartitionAssigner(owned: readonly number[]): PartitionAssigner {
  return () => ({
    name: STATIC_ASSIGNER_NAME,
    version: 1,
    protocol({ topics }) {
      return {
        name: STATIC_ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.from(JSON.stringify({ partitions: owned })) }),
      };
    },
    async assign({ members, topics }) {
      return members.map((member) => {
        const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
        const partitions = advertisedPartitions(metadata?.userData);
        const assignment = Object.fromEntries(topics.map((topic) => [topic, partitions]));
        return {
          memberId: member.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }),
        };
      });
    },
  });
}

function advertisedPartitions(userData: Buffer | undefined): number[] {
  if (!userData || userData.length === 0) return [];
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as { partitions?: unknown };
    return Array.isArray(parsed.partitions) ? parsed.partitions.filter((p): p is number => Number.isInteger(p) && p >= 0) : [];
  } catch {
    return [];
  }
}
