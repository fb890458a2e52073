// Co-partitioning assigner: partition i of every subscribed topic goes to the
// same group member, so the clicks and checkouts of one user (keyed to the same
// partition number) always meet in one worker. Sticky: a member keeps the
// partitions it owned (sent as userData) as far as balance allows, so state
// moves only when it must.
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const COPARTITION_ASSIGNER_NAME = 'ClickstreamCopartitionAssigner';

/**
 * Pure assignment: partition ids 0..partitionCount-1 to members, balanced
 * (counts differ by at most one), preferring each member's previous partitions.
 */
export function assignPartitionIds(
  memberIds: string[],
  partitionCount: number,
  previous: ReadonlyMap<string, readonly number[]> = new Map(),
): Map<string, number[]> {
  const members = [...memberIds].sort();
  const result = new Map<string, number[]>(members.map((m) => [m, []]));
  if (members.length === 0) return result;
  const base = Math.floor(partitionCount / members.length);
  let extra = partitionCount % members.length;
  const quota = new Map<string, number>();
  // Members that owned the most keep their extra slot first, so stickiness wins ties.
  const byPreviousCount = [...members].sort(
    (a, b) => (previous.get(b)?.length ?? 0) - (previous.get(a)?.length ?? 0) || (a < b ? -1 : 1),
  );
  for (const m of byPreviousCount) {
    quota.set(m, base + (extra > 0 ? 1 : 0));
    if (extra > 0) extra -= 1;
  }

  const taken = new Set<number>();
  for (const m of members) {
    for (const p of previous.get(m) ?? []) {
      const mine = result.get(m)!;
      if (p < 0 || p >= partitionCount || taken.has(p) || mine.length >= quota.get(m)!) continue;
      mine.push(p);
      taken.add(p);
    }
  }
  let cursor = 0;
  for (let p = 0; p < partitionCount; p++) {
    if (taken.has(p)) continue;
    while (
      result.get(members[cursor % members.length]!)!.length >=
      quota.get(members[cursor % members.length]!)!
    ) {
      cursor++;
    }
    result.get(members[cursor % members.length]!)!.push(p);
  }
  for (const list of result.values()) list.sort((a, b) => a - b);
  return result;
}

/** Throws unless every topic has the same number of partitions (co-partitioning needs it). */
export function commonPartitionCount(counts: Record<string, number>): number {
  const distinct = new Set(Object.values(counts));
  if (distinct.size !== 1) {
    throw new Error(
      `co-partitioned topics must have the same partition count, got ${JSON.stringify(counts)}`,
    );
  }
  return [...distinct][0]!;
}

/**
 * The kafkajs assigner. `ownedPartitions()` returns what this member holds now;
 * it travels as userData so the leader can keep assignments sticky.
 */
export function copartitionAssigner(ownedPartitions: () => number[]): PartitionAssigner {
  return ({ cluster }) => ({
    name: COPARTITION_ASSIGNER_NAME,
    version: 1,
    async assign({ members, topics }) {
      await cluster.refreshMetadataIfNecessary();
      const counts = Object.fromEntries(
        topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).length]),
      );
      const partitionCount = commonPartitionCount(counts);
      const previous = new Map<string, number[]>();
      for (const member of members) {
        const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
        previous.set(member.memberId, decodeOwned(metadata?.userData));
      }
      const ids = assignPartitionIds(
        members.map((m) => m.memberId),
        partitionCount,
        previous,
      );
      return members.map(({ memberId }) => {
        const partitions = ids.get(memberId) ?? [];
        return {
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: Object.fromEntries(topics.map((t) => [t, partitions])),
            userData: Buffer.alloc(0),
          }),
        };
      });
    },
    protocol({ topics }) {
      return {
        name: COPARTITION_ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: Buffer.from(JSON.stringify(ownedPartitions())),
        }),
      };
    },
  });
}

function decodeOwned(userData: Buffer | undefined): number[] {
  if (!userData || userData.length === 0) return [];
  try {
    const parsed: unknown = JSON.parse(userData.toString('utf8'));
    return Array.isArray(parsed) ? parsed.filter((p): p is number => Number.isInteger(p)) : [];
  } catch {
    return [];
  }
}
