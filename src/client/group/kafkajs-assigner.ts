/**
 * Runs a kafkajs-style custom assigner (`({ cluster, groupId, logger }) => ({ name, version,
 * assign, protocol })`) as a Tributary {@link PartitionAssignor}, so `partitionAssigners` of a
 * kafkajs program move over. The leader builds each member's metadata with the assigner's own
 * `protocol({ topics })` from that member's subscription (per-member `userData` is not carried), and
 * reads assignments given as kafkajs `MemberAssignment` bytes or as plain `{ topic: partitions }`.
 */
import type { Logger } from '../logger.ts';
import type { PartitionMetadata } from '../types.ts';
import type { Assignment, AssignorMember, PartitionAssignor } from './assignors.ts';

/** The part of kafkajs's `Assigner` Tributary uses. */
export interface KafkajsAssigner {
  name: string;
  version: number;
  /** Run by the group's leader: each member's assignment, encoded (kafkajs's `MemberAssignment`) or as topic → partitions. */
  assign(group: {
    members: { memberId: string; memberMetadata: Buffer }[];
    topics: string[];
  }): Promise<{ memberId: string; memberAssignment: Buffer | Assignment }[]>;
  /** What this member announces when it joins: the assigner's name and its encoded subscription. */
  protocol(subscription: { topics: string[] }): { name: string; metadata: Buffer };
}

/** kafkajs's `PartitionAssigner`: a factory given the cluster, group id and logger. */
export type KafkajsPartitionAssigner = (config: {
  cluster: KafkajsCluster;
  groupId: string;
  logger: Logger;
}) => KafkajsAssigner;

/** The cluster calls assigners make, answered from the log. */
export interface KafkajsCluster {
  /** The partitions of `topic`, in kafkajs's metadata shape. */
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
}

export function isPartitionAssignor(value: unknown): value is PartitionAssignor {
  return (
    typeof value === 'object' &&
    value !== null &&
    'rebalanceProtocol' in value &&
    typeof (value as PartitionAssignor).assign === 'function'
  );
}

export function adaptKafkajsAssigner(assigner: KafkajsAssigner): PartitionAssignor {
  return {
    name: assigner.name,
    rebalanceProtocol: 'eager',
    async assign(members: AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>) {
      const topics = [...partitionsPerTopic.keys()];
      const result = await assigner.assign({
        members: members.map((m) => ({
          memberId: m.memberId,
          memberMetadata: assigner.protocol({ topics: m.topics }).metadata,
        })),
        topics,
      });
      const out = new Map<string, Assignment>(members.map((m) => [m.memberId, {}]));
      for (const { memberId, memberAssignment } of result) {
        out.set(
          memberId,
          Buffer.isBuffer(memberAssignment) ? decodeMemberAssignment(memberAssignment) : memberAssignment,
        );
      }
      return out;
    },
  };
}

/** Kafka's ConsumerProtocol assignment: version int16, [topic string, [partition int32]], userData bytes. */
export function decodeMemberAssignment(bytes: Buffer): Assignment {
  const out: Assignment = {};
  if (bytes.length < 6) return out;
  let at = 2;
  const count = bytes.readInt32BE(at);
  at += 4;
  for (let i = 0; i < count; i++) {
    const len = bytes.readInt16BE(at);
    const topic = bytes.toString('utf8', at + 2, at + 2 + len);
    at += 2 + len;
    const n = bytes.readInt32BE(at);
    at += 4;
    const partitions: number[] = [];
    for (let k = 0; k < n; k++, at += 4) partitions.push(bytes.readInt32BE(at));
    out[topic] = partitions;
  }
  return out;
}
