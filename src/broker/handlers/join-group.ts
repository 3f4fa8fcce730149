/**
 * JoinGroup (key 11), on the group coordinator in-process consumers use, so network and in-process
 * members share groups. The member's subscription bytes go to the leader unchanged; the coordinator
 * reads their topics for in-process leaders. From v4 a member joining without an id first gets
 * MEMBER_ID_REQUIRED with the id to rejoin with (Kafka's pending members); earlier versions get
 * their id with the join. Session timeouts outside Kafka's [6 s, 30 min] get INVALID_SESSION_TIMEOUT.
 */
import { randomUUID } from 'node:crypto';
import { encodeSubscription } from '../../client/group/assignors.ts';
import { API } from '../../protocol/messages/index.ts';
import type { JoinGroupResponse } from '../../protocol/messages/join-group.ts';
import { decodeSubscription } from '../consumer-protocol.ts';
import type { BrokerContext } from '../context.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

/** Kafka's group.min.session.timeout.ms and group.max.session.timeout.ms. */
const MIN_SESSION_TIMEOUT = 6000;
const MAX_SESSION_TIMEOUT = 1_800_000;

export const joinGroupHandler = handler(API.JoinGroup, async (broker, req, info) => {
  const version = info.apiVersion;
  const fail = (errorCode: number, memberId = req.memberId): JoinGroupResponse => ({
    throttleTimeMs: 0,
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: version >= 7 ? null : '',
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  });
  if (req.groupId === '') return fail(KafkaCode.INVALID_GROUP_ID);
  if (req.sessionTimeoutMs < MIN_SESSION_TIMEOUT || req.sessionTimeoutMs > MAX_SESSION_TIMEOUT)
    return fail(KafkaCode.INVALID_SESSION_TIMEOUT);
  if (req.protocolType === '' || req.protocols.length === 0) return fail(KafkaCode.INCONSISTENT_GROUP_PROTOCOL);

  let memberId = req.memberId;
  let newMemberId: string | undefined;
  const pending = broker.pendingMembers.get(req.groupId);
  // KIP-345: a static member is known by its instance id, so it joins without the MEMBER_ID_REQUIRED round.
  const groupInstanceId =
    version >= 5 && req.groupInstanceId !== null && req.groupInstanceId !== '' ? req.groupInstanceId : undefined;
  if (memberId === '') {
    newMemberId = `${groupInstanceId ?? info.clientId ?? 'member'}-${randomUUID()}`;
    if (version >= 4 && groupInstanceId === undefined) {
      remember(broker, req.groupId, newMemberId, req.sessionTimeoutMs);
      return fail(KafkaCode.MEMBER_ID_REQUIRED, newMemberId);
    }
  } else if (pending?.has(memberId)) {
    pending.delete(memberId);
    newMemberId = memberId;
    memberId = '';
  }
  const metadata = new Map(req.protocols.map((p) => [p.name, p.metadata]));
  const subscription = decodeSubscription(req.protocols[0]!.metadata) ?? { topics: [], ownedPartitions: [] };
  try {
    const result = await broker.coordinator.joinGroup({
      groupId: req.groupId,
      memberId,
      newMemberId,
      clientId: info.clientId ?? '',
      clientHost: info.clientHost,
      sessionTimeout: req.sessionTimeoutMs,
      rebalanceTimeout: version >= 1 && req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocols: req.protocols.map((p) => p.name),
      topics: subscription.topics,
      ownedPartitions: subscription.ownedPartitions,
      metadata,
      initialRebalanceDelayMs: broker.groupInitialRebalanceDelayMs,
      groupInstanceId,
      // A network member learns of a rebalance from its next heartbeat, as on Kafka.
      onRebalance: () => undefined,
    });
    return {
      throttleTimeMs: 0,
      errorCode: KafkaCode.NONE,
      generationId: result.generationId,
      protocolType: req.protocolType,
      protocolName: result.protocol,
      leader: result.leaderId,
      skipAssignment: result.skipAssignment === true,
      memberId: result.memberId,
      members: result.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? null,
        metadata: Buffer.from(m.metadata ?? encodeSubscription(m.topics)),
      })),
    };
  } catch (err) {
    return fail(kafkaCodeOf(err), newMemberId ?? req.memberId);
  }
});

/** A pending member id is kept for one session timeout, as Kafka expires pending members. */
function remember(broker: BrokerContext, groupId: string, memberId: string, timeoutMs: number): void {
  let pending = broker.pendingMembers.get(groupId);
  if (pending === undefined) broker.pendingMembers.set(groupId, (pending = new Set()));
  pending.add(memberId);
  broker.clock.setTimeout(() => {
    const set = broker.pendingMembers.get(groupId);
    set?.delete(memberId);
    if (set?.size === 0) broker.pendingMembers.delete(groupId);
  }, timeoutMs);
}
