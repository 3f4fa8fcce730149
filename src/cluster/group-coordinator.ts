/**
 * The group coordinator: Kafka's classic group protocol, server-side. One per log
 * (shared-group-coordinator.ts): every embedded consumer on that log and every member that joins
 * through the broker serving it joins its groups here.
 *
 * States and transitions, as Kafka's GroupCoordinator:
 *
 * ```
 * Empty ──join──▶ PreparingRebalance ──all members joined / rebalance timeout──▶ CompletingRebalance
 *   ▲                   ▲                                                             │ leader's sync
 *   └── last member ────┴──── a member joins, leaves or its session times out ◀── Stable
 * ```
 *
 * A join waits until every known member has (re)joined, or the rebalance timeout drops those that
 * did not. Each completed join starts a new generation; commits and heartbeats carrying an older
 * one are refused with ILLEGAL_GENERATION, which fences members that were dropped. Members are
 * told of a rebalance at once (in-process, the equivalent of the heartbeat response Kafka sends),
 * and also learn it from their next heartbeat.
 */
import { clientError } from '../client/errors.ts';
import { type Assignment, encodeAssignment, encodeSubscription } from '../client/group/assignors.ts';
import type { OffsetCommit, OffsetStore } from './offset-store.ts';
import type { Logger } from '../client/logger.ts';
import type { ConsumerGroupState, GroupDescription, TopicPartitions } from '../client/types.ts';
import type { Clock, TimerHandle } from '../clock.ts';

export interface JoinRequest {
  groupId: string;
  /** '' for a new member. */
  memberId: string;
  clientId: string;
  sessionTimeout: number;
  rebalanceTimeout: number;
  /** Assignor names, most preferred first. */
  protocols: string[];
  topics: string[];
  ownedPartitions: TopicPartitions[];
  /** Called when the group starts a rebalance this member must rejoin. */
  onRebalance: () => void;
  /** Called at once with the member id a new member gets, before the join completes. */
  onMemberId?: (memberId: string) => void;
  /**
   * A network member's subscription bytes per assignor name, as its JoinGroup carried them: the
   * leader gets them unchanged (an in-process member's are encoded from `topics`).
   */
  metadata?: ReadonlyMap<string, Uint8Array>;
  /** The id a new member gets, when the caller chose it (the broker's MEMBER_ID_REQUIRED round). */
  newMemberId?: string;
  /** Where the member connects from, for describeGroups. Default `/in-process`. */
  clientHost?: string;
  /**
   * Kafka's `group.initial.rebalance.delay.ms`, when this join finds the group Empty: the first
   * generation waits this long for more members, again for each that arrives meanwhile, up to the
   * rebalance timeout. Default 0 (in-process consumers join at once, as before; the broker passes
   * its `groupInitialRebalanceDelayMs`).
   */
  initialRebalanceDelayMs?: number;
  /**
   * KIP-345 static membership (`group.instance.id`): a member joining without a member id under an
   * instance id the group knows takes the old member id's place and assignment, with no rebalance
   * when the group is Stable; the old member id is answered FENCED_INSTANCE_ID from then on.
   */
  groupInstanceId?: string;
}

export interface JoinedMember {
  memberId: string;
  topics: string[];
  ownedPartitions: TopicPartitions[];
  /** The member's subscription bytes for the group's chosen assignor (Kafka's ConsumerProtocol). */
  metadata?: Uint8Array;
  /** Its group.instance.id, for a static member. */
  groupInstanceId?: string;
}

export interface JoinResult {
  generationId: number;
  memberId: string;
  leaderId: string;
  protocol: string;
  /** Every member's subscription, for the leader only. */
  members: JoinedMember[];
  /** A restarted static leader of a Stable group: the assignment stands, do not compute one (KIP-814). */
  skipAssignment?: boolean;
}

interface Member
  extends Pick<
    JoinRequest,
    | 'memberId'
    | 'clientId'
    | 'sessionTimeout'
    | 'rebalanceTimeout'
    | 'protocols'
    | 'topics'
    | 'ownedPartitions'
    | 'onRebalance'
    | 'metadata'
    | 'clientHost'
  > {
  assignment: Assignment;
  /** The assignment bytes a network leader sent, kept as sent (user data included). */
  rawAssignment?: Uint8Array;
  join?: { resolve: (r: JoinResult) => void; reject: (e: unknown) => void };
  sync?: { resolve: (a: Assignment) => void; reject: (e: unknown) => void };
  session?: TimerHandle;
  groupInstanceId?: string;
}

interface Group {
  groupId: string;
  state: ConsumerGroupState;
  generationId: number;
  protocol: string;
  leaderId: string;
  members: Map<string, Member>;
  rebalanceTimer?: TimerHandle;
  /** Kafka's InitialDelayedJoin: while set, the first join of an Empty group does not complete. */
  delayedJoin?: { timer: TimerHandle; membersAtStart: number };
  /** Static members: group.instance.id → the member id that holds it now. */
  staticMembers: Map<string, string>;
}

let memberSeq = 0;

export class GroupCoordinator {
  readonly offsets: OffsetStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #groups = new Map<string, Group>();

  constructor(offsets: OffsetStore, clock: Clock, logger: Logger) {
    this.offsets = offsets;
    this.#clock = clock;
    this.#logger = logger.namespace('GroupCoordinator');
  }

  #group(groupId: string, create: boolean): Group | undefined {
    let group = this.#groups.get(groupId);
    if (group === undefined && create) {
      group = {
        groupId,
        state: 'Empty',
        generationId: 0,
        protocol: '',
        leaderId: '',
        members: new Map(),
        staticMembers: new Map(),
      };
      this.#groups.set(groupId, group);
    }
    return group;
  }

  joinGroup(req: JoinRequest): Promise<JoinResult> {
    if (typeof req.groupId !== 'string' || req.groupId === '') {
      return Promise.reject(clientError('INVALID_GROUP_ID', 'groupId must be a non-empty string'));
    }
    const group = this.#group(req.groupId, true)!;
    if (
      group.members.size > 0 &&
      group.protocol !== '' &&
      !req.protocols.some((p) => this.#supportedByAll(group, p, req.memberId))
    ) {
      return Promise.reject(
        clientError(
          'INCONSISTENT_GROUP_PROTOCOL',
          `Member supports none of the assignors of group "${req.groupId}" (${group.protocol})`,
          {
            groupId: req.groupId,
          },
        ),
      );
    }
    const instanceId = req.groupInstanceId;
    try {
      this.#checkInstance(group, instanceId, req.memberId);
    } catch (err) {
      return Promise.reject(err);
    }
    if (instanceId !== undefined && req.memberId === '' && group.staticMembers.has(instanceId)) {
      return this.#replaceStatic(group, group.members.get(group.staticMembers.get(instanceId)!)!, req);
    }
    let member = req.memberId === '' ? undefined : group.members.get(req.memberId);
    if (req.memberId !== '' && member === undefined) {
      return Promise.reject(
        clientError('UNKNOWN_MEMBER_ID', `Group "${req.groupId}" has no member ${req.memberId}`, {
          groupId: req.groupId,
        }),
      );
    }
    if (member === undefined) {
      member = {
        memberId:
          req.newMemberId ?? `${req.clientId}-${(++memberSeq).toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
        clientId: req.clientId,
        metadata: req.metadata,
        clientHost: req.clientHost,
        sessionTimeout: req.sessionTimeout,
        rebalanceTimeout: req.rebalanceTimeout,
        protocols: req.protocols,
        topics: req.topics,
        ownedPartitions: req.ownedPartitions,
        assignment: {},
        onRebalance: req.onRebalance,
        groupInstanceId: instanceId,
      };
      group.members.set(member.memberId, member);
      if (instanceId !== undefined) group.staticMembers.set(instanceId, member.memberId);
      req.onMemberId?.(member.memberId);
    } else {
      Object.assign(member, {
        sessionTimeout: req.sessionTimeout,
        rebalanceTimeout: req.rebalanceTimeout,
        protocols: req.protocols,
        topics: req.topics,
        ownedPartitions: req.ownedPartitions,
        onRebalance: req.onRebalance,
        metadata: req.metadata,
      });
      member.sync?.reject(clientError('REBALANCE_IN_PROGRESS', 'The member rejoined', { groupId: group.groupId }));
      member.sync = undefined;
    }
    this.#clearSession(member);
    const joined = member;
    const promise = new Promise<JoinResult>((resolve, reject) => {
      joined.join = { resolve, reject };
    });
    const delay = req.initialRebalanceDelayMs ?? 0;
    if (group.state === 'Empty' && delay > 0) {
      this.#prepareRebalance(group, joined);
      this.#delayJoin(group, delay, Math.max(0, joined.rebalanceTimeout - delay));
    } else if (group.state !== 'PreparingRebalance') this.#prepareRebalance(group, joined);
    this.#maybeCompleteJoin(group);
    return promise;
  }

  /** FENCED_INSTANCE_ID when `instanceId` is held by another member id than `memberId` (KIP-345). */
  #checkInstance(group: Group, instanceId: string | undefined, memberId: string): void {
    if (instanceId === undefined || memberId === '') return;
    const holder = group.staticMembers.get(instanceId);
    if (holder !== undefined && holder !== memberId) {
      throw clientError(
        'FENCED_INSTANCE_ID',
        `Member ${memberId} of group "${group.groupId}" was replaced by ${holder} for instance id "${instanceId}"`,
        {
          groupId: group.groupId,
        },
      );
    }
  }

  /**
   * A static member restarted (Kafka's updateStaticMemberAndRebalance): a new member id takes the
   * old one's place, assignment and leadership. A Stable group whose assignor still fits keeps its
   * generation (no rebalance; the leader is told to skip assigning); otherwise it rebalances as for
   * any rejoin.
   */
  #replaceStatic(group: Group, old: Member, req: JoinRequest): Promise<JoinResult> {
    const fenced = clientError(
      'FENCED_INSTANCE_ID',
      `Member ${old.memberId} of group "${group.groupId}" was replaced for instance id "${req.groupInstanceId}"`,
      {
        groupId: group.groupId,
      },
    );
    this.#clearSession(old);
    old.join?.reject(fenced);
    old.sync?.reject(fenced);
    old.join = old.sync = undefined;
    const member: Member = {
      ...old,
      memberId:
        req.newMemberId ?? `${req.clientId}-${(++memberSeq).toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
      clientId: req.clientId,
      clientHost: req.clientHost,
      metadata: req.metadata,
      sessionTimeout: req.sessionTimeout,
      rebalanceTimeout: req.rebalanceTimeout,
      protocols: req.protocols,
      topics: req.topics,
      ownedPartitions: req.ownedPartitions,
      onRebalance: req.onRebalance,
      session: undefined,
    };
    group.members.delete(old.memberId);
    group.members.set(member.memberId, member);
    group.staticMembers.set(req.groupInstanceId!, member.memberId);
    if (group.leaderId === old.memberId) group.leaderId = member.memberId;
    req.onMemberId?.(member.memberId);
    const sameSubscription = old.topics.length === req.topics.length && old.topics.every((t) => req.topics.includes(t));
    if (group.state === 'Stable' && req.protocols.includes(group.protocol) && sameSubscription) {
      this.#touch(group, member);
      return Promise.resolve({
        generationId: group.generationId,
        memberId: member.memberId,
        leaderId: group.leaderId,
        protocol: group.protocol,
        members: [],
        skipAssignment: member.memberId === group.leaderId,
      });
    }
    const promise = new Promise<JoinResult>((resolve, reject) => {
      member.join = { resolve, reject };
    });
    if (group.state !== 'PreparingRebalance') this.#prepareRebalance(group, member);
    this.#maybeCompleteJoin(group);
    return promise;
  }

  /**
   * A topic's partition count changed: every group with a member subscribed to it rebalances, as
   * Kafka's consumers rejoin when their metadata shows new partitions.
   */
  partitionsChanged(topic: string): void {
    for (const group of this.#groups.values()) {
      if (group.state !== 'Stable' && group.state !== 'CompletingRebalance') continue;
      for (const m of group.members.values()) {
        if (m.topics.includes(topic)) {
          this.#prepareRebalance(group);
          break;
        }
      }
    }
  }

  #supportedByAll(group: Group, protocol: string, except: string): boolean {
    for (const m of group.members.values()) if (m.memberId !== except && !m.protocols.includes(protocol)) return false;
    return true;
  }

  #prepareRebalance(group: Group, initiator?: Member): void {
    group.state = 'PreparingRebalance';
    for (const m of group.members.values()) {
      m.sync?.reject(
        clientError('REBALANCE_IN_PROGRESS', `Group "${group.groupId}" is rebalancing`, { groupId: group.groupId }),
      );
      m.sync = undefined;
    }
    const timeout = Math.max(0, ...[...group.members.values()].map((m) => m.rebalanceTimeout));
    if (group.rebalanceTimer !== undefined) this.#clock.clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = this.#clock.setTimeout(() => {
      group.rebalanceTimer = undefined;
      if (group.state !== 'PreparingRebalance') return;
      // Members that did not rejoin in time are dropped.
      for (const m of [...group.members.values()]) {
        if (m.join === undefined) this.#remove(group, m, false);
      }
      this.#maybeCompleteJoin(group);
    }, timeout);
    for (const m of group.members.values()) {
      if (m !== initiator && m.join === undefined) {
        try {
          m.onRebalance();
        } catch (err) {
          this.#logger.error('A member failed to take a rebalance notice', { error: String(err) });
        }
      }
    }
  }

  /**
   * Holds the first join of an Empty group for `delay` ms; when members arrived meanwhile, for up to
   * `delay` more while `remaining` lasts (Kafka's InitialDelayedJoin), so consumers starting together
   * get one generation rather than one each.
   */
  #delayJoin(group: Group, delay: number, remaining: number): void {
    const membersAtStart = group.members.size;
    const timer = this.#clock.setTimeout(() => {
      if (group.delayedJoin?.timer !== timer) return;
      group.delayedJoin = undefined;
      if (group.state !== 'PreparingRebalance') return;
      if (group.members.size > membersAtStart && remaining > 0) {
        this.#delayJoin(group, Math.min(delay, remaining), Math.max(0, remaining - delay));
        return;
      }
      this.#maybeCompleteJoin(group);
    }, delay);
    group.delayedJoin = { timer, membersAtStart };
  }

  #maybeCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance' || group.delayedJoin !== undefined) return;
    for (const m of group.members.values()) if (m.join === undefined) return;
    if (group.rebalanceTimer !== undefined) this.#clock.clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = undefined;
    group.generationId++;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.leaderId = '';
      group.protocol = '';
      return;
    }
    group.protocol = this.#chooseProtocol(group);
    if (!group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value!;
    group.state = 'CompletingRebalance';
    const everyone: JoinedMember[] = [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      topics: m.topics,
      ownedPartitions: m.ownedPartitions,
      metadata: m.metadata?.get(group.protocol) ?? encodeSubscription(m.topics),
      groupInstanceId: m.groupInstanceId,
    }));
    for (const m of group.members.values()) {
      const join = m.join!;
      m.join = undefined;
      m.assignment = {};
      m.rawAssignment = undefined;
      this.#touch(group, m);
      join.resolve({
        generationId: group.generationId,
        memberId: m.memberId,
        leaderId: group.leaderId,
        protocol: group.protocol,
        members: m.memberId === group.leaderId ? everyone : [],
      });
    }
  }

  #chooseProtocol(group: Group): string {
    const members = [...group.members.values()];
    const candidates = members[0]!.protocols.filter((p) => members.every((m) => m.protocols.includes(p)));
    let best = candidates[0] ?? members[0]!.protocols[0] ?? '';
    let bestVotes = -1;
    for (const c of candidates) {
      const votes = members.filter((m) => m.protocols.find((p) => candidates.includes(p)) === c).length;
      if (votes > bestVotes) {
        best = c;
        bestVotes = votes;
      }
    }
    return best;
  }

  /**
   * The leader's SyncGroup hands out `assignments`; a network leader also passes the bytes it sent
   * (`rawAssignments`), which its network members get back unchanged.
   */
  syncGroup(req: {
    groupId: string;
    memberId: string;
    generationId: number;
    assignments?: Map<string, Assignment>;
    rawAssignments?: Map<string, Uint8Array>;
    groupInstanceId?: string;
  }): Promise<Assignment> {
    const group = this.#groups.get(req.groupId);
    if (group !== undefined) {
      try {
        this.#checkInstance(group, req.groupInstanceId, req.memberId);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const member = group?.members.get(req.memberId);
    if (group === undefined || member === undefined) {
      return Promise.reject(
        clientError('UNKNOWN_MEMBER_ID', `Group "${req.groupId}" has no member ${req.memberId}`, {
          groupId: req.groupId,
        }),
      );
    }
    if (req.generationId !== group.generationId) {
      return Promise.reject(
        clientError(
          'ILLEGAL_GENERATION',
          `Generation ${req.generationId} of group "${req.groupId}" is over (now ${group.generationId})`,
          { groupId: req.groupId },
        ),
      );
    }
    if (group.state === 'PreparingRebalance') {
      return Promise.reject(
        clientError('REBALANCE_IN_PROGRESS', `Group "${req.groupId}" is rebalancing`, { groupId: req.groupId }),
      );
    }
    this.#touch(group, member);
    if (group.state === 'Stable') return Promise.resolve(member.assignment);
    const promise = new Promise<Assignment>((resolve, reject) => {
      member.sync = { resolve, reject };
    });
    if (req.memberId === group.leaderId && req.assignments !== undefined) {
      for (const m of group.members.values()) {
        m.assignment = req.assignments.get(m.memberId) ?? {};
        m.rawAssignment = req.rawAssignments?.get(m.memberId);
      }
      group.state = 'Stable';
      for (const m of group.members.values()) {
        const sync = m.sync;
        m.sync = undefined;
        sync?.resolve(m.assignment);
      }
    }
    return promise;
  }

  /** A member's assignment as Kafka's ConsumerProtocol bytes: the leader's own when it sent bytes. */
  assignmentBytes(groupId: string, memberId: string): Uint8Array {
    const member = this.#groups.get(groupId)?.members.get(memberId);
    if (member === undefined) return encodeAssignment({});
    return member.rawAssignment ?? encodeAssignment(member.assignment);
  }

  /** Keeps a member's session alive; throws when it must rejoin. */
  heartbeat(req: { groupId: string; memberId: string; generationId: number; groupInstanceId?: string }): void {
    const group = this.#groups.get(req.groupId);
    if (group !== undefined) this.#checkInstance(group, req.groupInstanceId, req.memberId);
    const member = group?.members.get(req.memberId);
    if (group === undefined || member === undefined) {
      throw clientError('UNKNOWN_MEMBER_ID', `Group "${req.groupId}" has no member ${req.memberId}`, {
        groupId: req.groupId,
      });
    }
    this.#touch(group, member);
    if (group.state === 'PreparingRebalance') {
      throw clientError('REBALANCE_IN_PROGRESS', `Group "${req.groupId}" is rebalancing`, { groupId: req.groupId });
    }
    if (req.generationId !== group.generationId) {
      throw clientError(
        'ILLEGAL_GENERATION',
        `Generation ${req.generationId} of group "${req.groupId}" is over (now ${group.generationId})`,
        { groupId: req.groupId },
      );
    }
  }

  /**
   * The member id that holds static instance `groupInstanceId` of `groupId`, for a LeaveGroup that
   * names the instance (KIP-345); undefined when none does.
   */
  staticMemberId(groupId: string, groupInstanceId: string): string | undefined {
    return this.#groups.get(groupId)?.staticMembers.get(groupInstanceId);
  }

  leaveGroup(groupId: string, memberId: string): void {
    const group = this.#groups.get(groupId);
    const member = group?.members.get(memberId);
    if (group === undefined || member === undefined) return;
    this.#remove(group, member, true);
  }

  #remove(group: Group, member: Member, rebalance: boolean): void {
    this.#clearSession(member);
    group.members.delete(member.memberId);
    if (member.groupInstanceId !== undefined && group.staticMembers.get(member.groupInstanceId) === member.memberId) {
      group.staticMembers.delete(member.groupInstanceId);
    }
    const gone = clientError('UNKNOWN_MEMBER_ID', `Member ${member.memberId} left group "${group.groupId}"`, {
      groupId: group.groupId,
    });
    member.join?.reject(gone);
    member.sync?.reject(gone);
    member.join = member.sync = undefined;
    if (!rebalance) return;
    if (group.members.size === 0) {
      if (group.rebalanceTimer !== undefined) this.#clock.clearTimeout(group.rebalanceTimer);
      group.rebalanceTimer = undefined;
      group.state = 'Empty';
      group.generationId++;
      group.leaderId = '';
      group.protocol = '';
    } else if (group.state === 'PreparingRebalance') {
      this.#maybeCompleteJoin(group);
    } else {
      this.#prepareRebalance(group);
    }
  }

  #touch(group: Group, member: Member): void {
    this.#clearSession(member);
    member.session = this.#clock.setTimeout(() => {
      member.session = undefined;
      if (group.members.get(member.memberId) !== member || member.join !== undefined) return;
      this.#logger.info('Member session timed out', { groupId: group.groupId, memberId: member.memberId });
      this.#remove(group, member, true);
    }, member.sessionTimeout);
  }

  #clearSession(member: Member): void {
    if (member.session !== undefined) this.#clock.clearTimeout(member.session);
    member.session = undefined;
  }

  /** Commits a member's offsets (generation -1 and member '' for a group without members). */
  async commitOffsets(req: {
    groupId: string;
    memberId: string;
    generationId: number;
    offsets: OffsetCommit[];
    groupInstanceId?: string;
  }): Promise<void> {
    const group = this.#groups.get(req.groupId);
    if (group !== undefined && req.generationId >= 0) this.#checkInstance(group, req.groupInstanceId, req.memberId);
    if (req.generationId < 0) {
      if (group !== undefined && group.members.size > 0) {
        throw clientError('UNKNOWN_MEMBER_ID', `Group "${req.groupId}" has members; only they may commit`, {
          groupId: req.groupId,
        });
      }
    } else {
      const member = group?.members.get(req.memberId);
      if (group === undefined || member === undefined) {
        throw clientError('UNKNOWN_MEMBER_ID', `Group "${req.groupId}" has no member ${req.memberId}`, {
          groupId: req.groupId,
        });
      }
      if (group.state === 'CompletingRebalance') {
        throw clientError('REBALANCE_IN_PROGRESS', `Group "${req.groupId}" is rebalancing`, { groupId: req.groupId });
      }
      if (req.generationId !== group.generationId) {
        throw clientError(
          'ILLEGAL_GENERATION',
          `Generation ${req.generationId} of group "${req.groupId}" is over (now ${group.generationId})`,
          {
            groupId: req.groupId,
          },
        );
      }
      this.#touch(group, member);
    }
    await this.offsets.commit(req.groupId, req.offsets);
  }

  /** Every group with members or committed offsets. */
  listGroups(): string[] {
    const ids = new Set<string>(this.offsets.groups());
    for (const [id, g] of this.#groups) if (g.members.size > 0 || g.state !== 'Empty') ids.add(id);
    return [...ids].sort();
  }

  describeGroup(groupId: string): GroupDescription {
    const group = this.#groups.get(groupId);
    if (group === undefined) {
      const known = this.offsets.list(groupId).length > 0;
      return {
        groupId,
        members: [],
        protocol: '',
        protocolType: known ? 'consumer' : '',
        state: known ? 'Empty' : 'Dead',
      };
    }
    return {
      groupId,
      protocol: group.protocol,
      protocolType: 'consumer',
      state: group.state,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost ?? '/in-process',
        memberMetadata: Buffer.from(m.metadata?.get(group.protocol) ?? encodeSubscription(m.topics)),
        memberAssignment: Buffer.from(m.rawAssignment ?? encodeAssignment(m.assignment)),
        ...(m.groupInstanceId === undefined ? {} : { groupInstanceId: m.groupInstanceId }),
      })),
    };
  }

  /** The member's generation, or undefined. */
  generationOf(groupId: string): number | undefined {
    return this.#groups.get(groupId)?.generationId;
  }

  hasMembers(groupId: string): boolean {
    return (this.#groups.get(groupId)?.members.size ?? 0) > 0;
  }

  async deleteGroup(groupId: string): Promise<void> {
    if (this.hasMembers(groupId)) {
      throw clientError('NON_EMPTY_GROUP', `Group "${groupId}" still has members`, { groupId });
    }
    if (!this.#groups.has(groupId) && this.offsets.list(groupId).length === 0) {
      throw clientError('GROUP_ID_NOT_FOUND', `No group "${groupId}"`, { groupId });
    }
    this.#groups.delete(groupId);
    await this.offsets.delete(groupId);
  }

  /** Stops every timer: the Tributary is closing. */
  close(): void {
    for (const group of this.#groups.values()) {
      if (group.rebalanceTimer !== undefined) this.#clock.clearTimeout(group.rebalanceTimer);
      if (group.delayedJoin !== undefined) this.#clock.clearTimeout(group.delayedJoin.timer);
      for (const m of group.members.values()) this.#clearSession(m);
    }
  }
}
