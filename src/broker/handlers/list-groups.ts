/**
 * ListGroups (key 16): every group with members or committed offsets, filtered by state (v4+) and
 * type (v5+; every group here is `classic`).
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';

export const listGroupsHandler = handler(API.ListGroups, (broker, req) => {
  const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
  const types = new Set(req.typesFilter.map((t) => t.toLowerCase()));
  const groups = [];
  for (const groupId of broker.coordinator.listGroups()) {
    const group = broker.coordinator.describeGroup(groupId);
    if (states.size > 0 && !states.has(group.state.toLowerCase())) continue;
    if (types.size > 0 && !types.has('classic')) continue;
    groups.push({
      groupId,
      protocolType: group.protocolType || 'consumer',
      groupState: group.state,
      groupType: 'classic',
    });
  }
  return { throttleTimeMs: 0, errorCode: KafkaCode.NONE, groups };
});
