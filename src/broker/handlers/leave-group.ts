/**
 * LeaveGroup (key 13): the member goes and the group rebalances. v3+ names several members, each
 * answered on its own (UNKNOWN_MEMBER_ID for one the group does not have).
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';

export const leaveGroupHandler = handler(API.LeaveGroup, (broker, req, info) => {
  const leaving =
    info.apiVersion >= 3
      ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
      : [{ memberId: req.memberId, groupInstanceId: null }];
  const known = new Set(broker.coordinator.describeGroup(req.groupId).members.map((m) => m.memberId));
  const members = leaving.map(({ memberId, groupInstanceId }) => {
    // KIP-345: a static member may be named by its instance id; a member id that no longer holds it is fenced.
    const holder =
      groupInstanceId === null ? undefined : broker.coordinator.staticMemberId(req.groupId, groupInstanceId);
    let errorCode: number;
    let leaver = memberId;
    if (groupInstanceId !== null && holder === undefined) errorCode = KafkaCode.UNKNOWN_MEMBER_ID;
    else if (holder !== undefined && memberId !== '' && memberId !== holder) errorCode = KafkaCode.FENCED_INSTANCE_ID;
    else {
      leaver = holder ?? memberId;
      errorCode = known.has(leaver) ? KafkaCode.NONE : KafkaCode.UNKNOWN_MEMBER_ID;
    }
    if (errorCode === KafkaCode.NONE) broker.coordinator.leaveGroup(req.groupId, leaver);
    return { memberId, groupInstanceId, errorCode };
  });
  const errorCode = info.apiVersion < 3 ? (members[0]?.errorCode ?? KafkaCode.NONE) : KafkaCode.NONE;
  return { throttleTimeMs: 0, errorCode, members };
});
