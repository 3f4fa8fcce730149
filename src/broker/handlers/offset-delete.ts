/**
 * OffsetDelete (key 47): deletes a group's committed offsets of whole topics. Refused with
 * NON_EMPTY_GROUP while the group has members (Kafka refuses only topics they subscribe to; the
 * coordinator does not track subscriptions per topic for every kind of member).
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

export const offsetDeleteHandler = handler(API.OffsetDelete, async (broker, req) => {
  const { coordinator } = broker;
  const known = coordinator.listGroups().includes(req.groupId);
  const topLevel = !known
    ? KafkaCode.GROUP_ID_NOT_FOUND
    : coordinator.hasMembers(req.groupId)
      ? KafkaCode.NON_EMPTY_GROUP
      : KafkaCode.NONE;
  const topics = [];
  for (const t of req.topics) {
    let code: number = topLevel;
    if (code === KafkaCode.NONE) {
      try {
        await coordinator.offsets.delete(req.groupId, t.name);
      } catch (err) {
        code = kafkaCodeOf(err);
      }
    }
    topics.push({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: code === KafkaCode.GROUP_ID_NOT_FOUND ? KafkaCode.NONE : code,
      })),
    });
  }
  return { errorCode: topLevel === KafkaCode.NON_EMPTY_GROUP ? KafkaCode.NONE : topLevel, throttleTimeMs: 0, topics };
});
