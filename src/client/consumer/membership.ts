/**
 * The consumer's group membership (kafkajs's `ConsumerGroup` join/sync/heartbeat/leave): it joins
 * the group with the member's subscription, runs the assignor when this member leads, syncs to
 * get this member's partitions, heartbeats and leaves. It talks to the coordinator through a
 * {@link MembershipTransport}: the group coordinator in process, or (the wire client) a broker's
 * JoinGroup, SyncGroup, Heartbeat and LeaveGroup.
 *
 * @example
 * const membership = new GroupMembership({ groupId: 'g', clientId: 'c', transport: coordinator, assignors, ... });
 * const outcome = await membership.join(['orders'], [], () => running);
 * if (outcome.kind === 'joined') start(outcome.assignment);
 */
import { hasCode } from '../errors.ts';
import type { Assignment, PartitionAssignor } from '../group/assignors.ts';
import type { GroupCoordinator } from '../../cluster/group-coordinator.ts';
import type { TopicPartitions } from '../types.ts';

/** The coordinator calls membership makes. */
export type MembershipTransport = Pick<GroupCoordinator, 'joinGroup' | 'syncGroup' | 'heartbeat' | 'leaveGroup'>;

/** What the coordinator said when this member joined. */
export type JoinResult = Awaited<ReturnType<GroupCoordinator['joinGroup']>>;

/** What one join-and-sync came to. */
export type JoinOutcome =
  /** A member of the generation, with its partitions. */
  | { kind: 'joined'; join: JoinResult; assignment: Assignment; protocol: PartitionAssignor }
  /** The coordinator no longer knows this member: its partitions are someone else's now. */
  | { kind: 'lost' }
  /** The group moved on during the sync: join again. */
  | { kind: 'retry' }
  /** The consumer stopped meanwhile (the member left again). */
  | { kind: 'stopped' };

export interface MembershipOptions {
  groupId: string;
  clientId: string;
  transport: MembershipTransport;
  assignors: PartitionAssignor[];
  sessionTimeout: number;
  rebalanceTimeout: number;
  /** Partition counts for the leader's assignor; throws for a topic that is gone. */
  partitionCount(topic: string): number;
  /** The coordinator asks this member to rejoin. */
  onRebalance(): void;
}

export class GroupMembership {
  readonly #o: MembershipOptions;
  /** '' when not a member. */
  memberId = '';
  /** -1 when not a member. */
  generationId = -1;

  constructor(options: MembershipOptions) {
    this.#o = options;
  }

  /** Joins (or rejoins) with `topics`, owning `owned` (for cooperative assignors); `running` says whether to go on. */
  async join(topics: string[], owned: TopicPartitions[], running: () => boolean): Promise<JoinOutcome> {
    const o = this.#o;
    let join: JoinResult;
    try {
      join = await o.transport.joinGroup({
        groupId: o.groupId,
        memberId: this.memberId,
        clientId: o.clientId,
        sessionTimeout: o.sessionTimeout,
        rebalanceTimeout: o.rebalanceTimeout,
        protocols: o.assignors.map((a) => a.name),
        topics,
        ownedPartitions: owned,
        onRebalance: o.onRebalance,
        onMemberId: (memberId) => {
          this.memberId = memberId;
        },
      });
    } catch (err) {
      if (hasCode(err, 'UNKNOWN_MEMBER_ID')) {
        this.memberId = '';
        return { kind: 'lost' };
      }
      throw err;
    }
    if (!running()) {
      o.transport.leaveGroup(o.groupId, join.memberId);
      return { kind: 'stopped' };
    }
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    const protocol = o.assignors.find((a) => a.name === join.protocol) ?? o.assignors[0]!;
    let assignments: Map<string, Assignment> | undefined;
    if (join.leaderId === join.memberId) {
      const partitionsPerTopic = new Map<string, number>();
      for (const m of join.members) {
        for (const t of m.topics) {
          try {
            partitionsPerTopic.set(t, o.partitionCount(t));
          } catch {
            // A subscribed topic that is gone gets no partitions.
          }
        }
      }
      assignments = await protocol.assign(join.members, partitionsPerTopic);
    }
    let assignment: Assignment;
    try {
      assignment = await o.transport.syncGroup({
        groupId: o.groupId,
        memberId: join.memberId,
        generationId: join.generationId,
        assignments,
      });
    } catch (err) {
      if (hasCode(err, 'REBALANCE_IN_PROGRESS') || hasCode(err, 'ILLEGAL_GENERATION')) return { kind: 'retry' };
      if (hasCode(err, 'UNKNOWN_MEMBER_ID')) {
        this.memberId = '';
        return { kind: 'retry' };
      }
      throw err;
    }
    if (!running()) return { kind: 'stopped' };
    return { kind: 'joined', join, assignment, protocol };
  }

  /** Tells the coordinator this member is alive; throws UNKNOWN_MEMBER_ID when it was dropped. */
  heartbeat(): void {
    this.#o.transport.heartbeat({ groupId: this.#o.groupId, memberId: this.memberId, generationId: this.generationId });
  }

  /** Leaves the group (ending a join or sync still waiting for other members). */
  leave(): void {
    if (this.memberId !== '') this.#o.transport.leaveGroup(this.#o.groupId, this.memberId);
  }

  /** Forgets the membership (after leaving, or when the coordinator dropped it). */
  reset(): void {
    this.memberId = '';
    this.generationId = -1;
  }
}
