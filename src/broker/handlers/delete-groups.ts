/**
 * DeleteGroups (key 42): a group without members goes with its committed offsets; one with members
 * gets NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND.
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

export const deleteGroupsHandler = handler(API.DeleteGroups, async (broker, req) => {
  const results = [];
  for (const groupId of req.groupsNames) {
    try {
      await broker.coordinator.deleteGroup(groupId);
      results.push({ groupId, errorCode: KafkaCode.NONE });
    } catch (err) {
      results.push({ groupId, errorCode: kafkaCodeOf(err) });
    }
  }
  return { throttleTimeMs: 0, results };
});
