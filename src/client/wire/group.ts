/**
 * The consumer's group calls over the wire: the calls the consumer makes of the in-process group
 * coordinator (`joinGroup`, `syncGroup`, `heartbeat`, `leaveGroup`, `commitOffsets`,
 * `offsets.get`) answered with Kafka's classic group protocol on the group's coordinator broker:
 * FindCoordinator, JoinGroup (with the MEMBER_ID_REQUIRED round trip of v4+), SyncGroup, Heartbeat,
 * LeaveGroup, OffsetCommit and OffsetFetch. Subscriptions and assignments travel in Kafka's consumer
 * protocol layout (`consumer-protocol.ts`), so members in other clients share the group.
 *
 * Where the in-process coordinator answers synchronously, this one answers from what it learned:
 * `heartbeat` sends a Heartbeat and throws the error the previous one got (and a rebalance that a
 * Heartbeat reveals calls the member's `onRebalance` at once); `offsets.get` answers from the
 * committed offsets fetched for the assignment before `syncGroup` resolves.
 *
 * @example
 * const group = new WireGroup(fetcher);
 * const join = await group.joinGroup({ groupId: 'g', memberId: '', … });
 * const assignment = await group.syncGroup({ groupId: 'g', memberId: join.memberId, generationId: join.generationId, assignments });
 */
import { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import type { Assignment } from '../group/assignors.ts';
import type { JoinRequest, JoinResult } from '../../cluster/group-coordinator.ts';
import type { CommittedOffset, OffsetCommit } from '../../cluster/offset-store.ts';
import type { Broker } from './broker.ts';
import { decodeAssignment, decodeSubscription, encodeAssignment } from './consumer-protocol.ts';
import type { WireFetcher } from './fetcher.ts';
import { joinGroupCall, type OffsetFetchResponse, untilOffsetsStable, withGroupCoordinator } from './group-calls.ts';
import { kafkaError } from './kafka-errors.ts';

/** OffsetFetch v8+ batches several groups; one group is enough here. */
const OFFSET_FETCH_MAX_VERSION = 7;
const GROUP_ERRORS_THAT_REJOIN = new Set([22, 25, 27]);

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** The committed offsets this member knows: the ones fetched for its assignment and its own commits. */
class CommittedOffsets {
  readonly #byGroup = new Map<string, Map<string, CommittedOffset>>();

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.#byGroup.get(group)?.get(key(topic, partition));
  }

  set(group: string, topic: string, partition: number, committed: CommittedOffset): void {
    let map = this.#byGroup.get(group);
    if (map === undefined) this.#byGroup.set(group, (map = new Map()));
    map.set(key(topic, partition), committed);
  }
}

export class WireGroup {
  readonly #fetcher: WireFetcher;
  readonly offsets = new CommittedOffsets();
  /** Per member: what to call when a Heartbeat reveals a rebalance, and the error to throw next. */
  readonly #members = new Map<
    string,
    { onRebalance: () => void; error?: TributaryError; groupId: string; protocol: string | null; generationId: number }
  >();

  constructor(fetcher: WireFetcher) {
    this.#fetcher = fetcher;
  }

  get #cluster() {
    return this.#fetcher.transport.cluster;
  }

  /** Runs a coordinator call, finding the coordinator again when it moved. */
  #withCoordinator<T>(groupId: string, fn: (broker: Broker) => Promise<T>): Promise<T> {
    return withGroupCoordinator(this.#cluster, groupId, fn);
  }

  async joinGroup(req: JoinRequest): Promise<JoinResult> {
    if (typeof req.groupId !== 'string' || req.groupId === '')
      throw new TributaryError('INVALID_GROUP_ID', 'groupId must be a non-empty string');
    const res = await joinGroupCall(this.#cluster, req);
    // A new generation: what earlier Heartbeats were told no longer applies.
    this.#members.set(res.memberId, {
      onRebalance: req.onRebalance,
      groupId: req.groupId,
      protocol: res.protocolName,
      generationId: res.generationId,
    });
    const members = res.members.map((m) => ({ memberId: m.memberId, ...decodeSubscription(m.metadata) }));
    // The leader assigns from the partition counts: read every member's topics now.
    const topics = new Set(members.flatMap((m) => m.topics));
    if (topics.size > 0) await this.#cluster.refreshMetadata(topics);
    return {
      generationId: res.generationId,
      memberId: res.memberId,
      leaderId: res.leader,
      protocol: res.protocolName ?? '',
      members,
    };
  }

  /**
   * Sends the leader's assignments (or none) and resolves with this member's, once its partitions'
   * committed offsets and log offsets are known, so that the consumer starts each where it should.
   */
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
        // SyncGroup v5+ names the protocol the join chose; the coordinator checks it.
        protocolName: this.#members.get(req.memberId)?.protocol ?? null,
        assignments: [...(req.assignments ?? [])].map(([memberId, assignment]) => ({
          memberId,
          assignment: encodeAssignment(assignment),
        })),
      } as never),
    )) as { errorCode: number; assignment: Buffer };
    if (res.errorCode !== 0) throw kafkaError(res.errorCode, { groupId: req.groupId });
    const assignment = decodeAssignment(res.assignment);
    const partitions = Object.entries(assignment).flatMap(([topic, ps]) =>
      ps.map((partition) => ({ topic, partition })),
    );
    if (partitions.length > 0) {
      await Promise.all([this.#fetchCommitted(req.groupId, assignment), this.#fetcher.loadOffsets(partitions)]);
    }
    return assignment;
  }

  async #fetchCommitted(groupId: string, assignment: Assignment): Promise<void> {
    const res = await untilOffsetsStable(() => this.#fetchStable(groupId, assignment));
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.committedOffset >= 0)
          this.offsets.set(groupId, t.name, p.partitionIndex, {
            offset: p.committedOffset,
            metadata: p.metadata,
            commitTimestamp: -1,
          });
      }
    }
  }

  /** One OffsetFetch asking for stable offsets; throws the first error it answers. */
  async #fetchStable(groupId: string, assignment: Assignment): Promise<OffsetFetchResponse> {
    const res = (await this.#withCoordinator(groupId, (broker) =>
      broker.request(
        API.OffsetFetch,
        {
          groupId,
          topics: Object.entries(assignment).map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          groups: [],
          requireStable: true,
        } as never,
        { maxVersion: OFFSET_FETCH_MAX_VERSION },
      ),
    )) as OffsetFetchResponse;
    if (res.errorCode !== 0) throw kafkaError(res.errorCode, { groupId });
    for (const t of res.topics)
      for (const p of t.partitions)
        if (p.errorCode !== 0) throw kafkaError(p.errorCode, { groupId, topic: t.name, partition: p.partitionIndex });
    return res;
  }

  /**
   * Throws what the previous Heartbeat of this member was told (REBALANCE_IN_PROGRESS,
   * ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID), then sends the next one.
   */
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
        if (
          errorCode === 0 ||
          member === undefined ||
          this.#members.get(req.memberId) !== member ||
          member.generationId !== req.generationId
        )
          return;
        member.error = kafkaError(errorCode, { groupId: req.groupId });
        if (GROUP_ERRORS_THAT_REJOIN.has(errorCode)) member.onRebalance();
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

  async commitOffsets(req: {
    groupId: string;
    memberId: string;
    generationId: number;
    offsets: OffsetCommit[];
  }): Promise<void> {
    const topics = new Map<string, OffsetCommit[]>();
    for (const c of req.offsets) {
      let list = topics.get(c.topic);
      if (list === undefined) topics.set(c.topic, (list = []));
      list.push(c);
    }
    const res = (await this.#withCoordinator(req.groupId, (broker) =>
      broker.request(API.OffsetCommit, {
        groupId: req.groupId,
        generationIdOrMemberEpoch: req.generationId,
        memberId: req.memberId,
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
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0)
          throw kafkaError(p.errorCode, { groupId: req.groupId, topic: t.name, partition: p.partitionIndex });
      }
    }
    for (const c of req.offsets)
      this.offsets.set(req.groupId, c.topic, c.partition, {
        offset: c.offset,
        metadata: c.metadata ?? null,
        commitTimestamp: -1,
      });
  }

  /** Rebalances are Kafka's to start when partitions change: nothing to do here. */
  partitionsChanged(_topic: string): void {}

  close(): void {
    this.#members.clear();
  }
}
