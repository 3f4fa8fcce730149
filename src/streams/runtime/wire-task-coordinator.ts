/**
 * The group calls of {@link CoordinatorTaskGroup} over Kafka's classic group protocol, on the
 * coordinator broker of the group `applicationId`: JoinGroup (with the MEMBER_ID_REQUIRED round of
 * v4+), SyncGroup, Heartbeat, LeaveGroup, and OffsetCommit for at-least-once commits. The app's
 * tasks travel as the consumer protocol's topics (`<subtopology>` → partitions), so the coordinator
 * (Tributary's or Kafka's) sees an ordinary `consumer` group whose members and generations fence a
 * zombie instance's commits.
 *
 * Where the in-process coordinator answers synchronously, this one answers from what it learned:
 * `heartbeat` throws what the previous Heartbeat was told and sends the next; `describeGroup` lists
 * this instance only while the coordinator still counts it in.
 */
import type { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import type { Assignment } from '../../client/group/assignors.ts';
import type { JoinRequest, JoinResult } from '../../cluster/group-coordinator.ts';
import type { Broker } from '../../client/wire/broker.ts';
import { decodeAssignment, decodeSubscription, encodeAssignment } from '../../client/wire/consumer-protocol.ts';
import { joinGroupCall, withGroupCoordinator } from '../../client/wire/group-calls.ts';
import { kafkaError } from '../../client/wire/kafka-errors.ts';
import type { WireTransport } from '../../client/wire/transport.ts';
import type { TaskGroupCoordinator } from '../internal/coordinator-task-group.ts';
import type { InputOffset } from './backend.ts';

/** ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS: the member must rejoin. */
const REJOIN = new Set([22, 25, 27]);

interface MemberState {
  onRebalance: () => void;
  generationId: number;
  protocol: string | null;
  /** What the last Heartbeat was told, thrown by the next. */
  error?: TributaryError;
  /** The coordinator no longer counts this member in. */
  gone: boolean;
}

export class WireTaskCoordinator implements TaskGroupCoordinator {
  readonly #transport: WireTransport;
  readonly #members = new Map<string, MemberState>();

  constructor(transport: WireTransport) {
    this.#transport = transport;
  }

  get #cluster() {
    return this.#transport.cluster;
  }

  /** Runs a call on the group's coordinator, finding it again when it moved. */
  #withCoordinator<T>(groupId: string, fn: (broker: Broker) => Promise<T>): Promise<T> {
    return withGroupCoordinator(this.#cluster, groupId, fn);
  }

  async joinGroup(req: JoinRequest): Promise<JoinResult> {
    const res = await joinGroupCall(this.#cluster, req, (sent) => {
      if (sent !== '') this.#forget(sent);
    });
    this.#members.set(res.memberId, {
      onRebalance: req.onRebalance,
      generationId: res.generationId,
      protocol: res.protocolName,
      gone: false,
    });
    return {
      generationId: res.generationId,
      memberId: res.memberId,
      leaderId: res.leader,
      protocol: res.protocolName ?? '',
      members: res.members.map((m) => ({ memberId: m.memberId, ...decodeSubscription(m.metadata) })),
    };
  }

  async syncGroup(req: {
    groupId: string;
    memberId: string;
    generationId: number;
    assignments?: Map<string, Assignment>;
  }): Promise<Assignment> {
    const res = (await this.#withCoordinator(req.groupId, (broker) =>
      broker.request(API.SyncGroup, {
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: this.#members.get(req.memberId)?.protocol ?? null,
        assignments: [...(req.assignments ?? [])].map(([memberId, assignment]) => ({
          memberId,
          assignment: encodeAssignment(assignment),
        })),
      } as never),
    )) as { errorCode: number; assignment: Buffer };
    if (res.errorCode !== 0) {
      if (res.errorCode === 25) this.#forget(req.memberId);
      throw kafkaError(res.errorCode, { groupId: req.groupId });
    }
    return decodeAssignment(res.assignment);
  }

  heartbeat(req: { groupId: string; memberId: string; generationId: number }): void {
    const member = this.#members.get(req.memberId);
    const error = member?.error;
    if (member !== undefined) member.error = undefined;
    if (error !== undefined) throw error;
    void this.#withCoordinator(req.groupId, (broker) =>
      broker.request(API.Heartbeat, {
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: null,
      } as never),
    ).then(
      (res) => {
        const { errorCode } = res as { errorCode: number };
        // An answer about a generation the member has left behind (it rejoined meanwhile) is stale.
        if (errorCode === 0 || member === undefined || member.generationId !== req.generationId) return;
        member.error = kafkaError(errorCode, { groupId: req.groupId });
        if (errorCode === 25) member.gone = true;
        if (REJOIN.has(errorCode)) member.onRebalance();
      },
      () => undefined,
    );
  }

  leaveGroup(groupId: string, memberId: string): void {
    this.#members.delete(memberId);
    void this.#withCoordinator(groupId, (broker) =>
      broker.request(API.LeaveGroup, {
        groupId,
        memberId,
        members: [{ memberId, groupInstanceId: null, reason: null }],
      } as never),
    ).catch(() => undefined);
  }

  /** This instance, while the coordinator counts it in (as far as the last answers tell). */
  describeGroup(_groupId: string): { members: { memberId: string }[] } {
    return {
      members: [...this.#members].filter(([, m]) => !m.gone).map(([memberId]) => ({ memberId })),
    };
  }

  #forget(memberId: string): void {
    const m = this.#members.get(memberId);
    if (m !== undefined) m.gone = true;
  }

  /** The member and generation that at-least-once commits go under. */
  current(): { memberId: string; generationId: number } | undefined {
    for (const [memberId, m] of this.#members) if (!m.gone) return { memberId, generationId: m.generationId };
    return undefined;
  }

  /** OffsetCommit as the current member and generation (at-least-once). */
  async commitOffsets(groupId: string, offsets: InputOffset[]): Promise<void> {
    const me = this.current() ?? { memberId: '', generationId: -1 };
    const topics = new Map<string, InputOffset[]>();
    for (const c of offsets) {
      let list = topics.get(c.topic);
      if (list === undefined) topics.set(c.topic, (list = []));
      list.push(c);
    }
    const res = (await this.#withCoordinator(groupId, (broker) =>
      broker.request(API.OffsetCommit, {
        groupId,
        generationIdOrMemberEpoch: me.generationId,
        memberId: me.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [...topics].map(([name, list]) => ({
          name,
          partitions: list.map((c) => ({
            partitionIndex: c.partition,
            committedOffset: c.offset,
            committedLeaderEpoch: -1,
            commitTimestamp: -1,
            committedMetadata: c.metadata ?? null,
          })),
        })),
      } as never),
    )) as { topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] };
    for (const t of res.topics)
      for (const p of t.partitions)
        if (p.errorCode !== 0) throw kafkaError(p.errorCode, { groupId, topic: t.name, partition: p.partitionIndex });
  }
}
