/**
 * LeaveGroup (key 13): the member goes and the group rebalances. v3+ names several members, each
 * answered on its own (UNKNOWN_MEMBER_ID for one the group does not have).
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';

export const leaveGroupHandler = handler(API.LeaveGroup, (broker, req, info) => {
  const ids = info.apiVersion >= 3 ? req.members.map((m) => m.memberId) : [req.memberId];
  const known = new Set(broker.coordinator.describeGroup(req.groupId).members.map((m) => m.memberId));
  const members = ids.map((memberId) => {
    const errorCode = known.has(memberId) ? KafkaCode.NONE : KafkaCode.UNKNOWN_MEMBER_ID;
    if (errorCode === KafkaCode.NONE) broker.coordinator.leaveGroup(req.groupId, memberId);
    return { memberId, groupInstanceId: null, errorCode };
  });
  const errorCode = info.apiVersion < 3 ? (members[0]?.errorCode ?? KafkaCode.NONE) : KafkaCode.NONE;
  return { throttleTimeMs: 0, errorCode, members };
});
