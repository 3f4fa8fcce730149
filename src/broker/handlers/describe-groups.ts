/**
 * DescribeGroups (key 15): each group's state, chosen assignor and members, with the subscription
 * and assignment bytes as the members sent them (in-process members' encoded as Kafka's
 * ConsumerProtocol v0) and a static member's `group.instance.id` (v4+). A group nobody knows is
 * `Dead`, as on Kafka.
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';

export const describeGroupsHandler = handler(API.DescribeGroups, (broker, req) => ({
  throttleTimeMs: 0,
  groups: req.groups.map((groupId) => {
    const group = broker.coordinator.describeGroup(groupId);
    return {
      errorCode: groupId === '' ? KafkaCode.INVALID_GROUP_ID : KafkaCode.NONE,
      errorMessage: null,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType,
      protocolData: group.protocol,
      members: group.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? null,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: Buffer.from(m.memberMetadata),
        memberAssignment: Buffer.from(m.memberAssignment),
      })),
      authorizedOperations: -2147483648,
    };
  }),
}));
