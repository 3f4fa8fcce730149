/**
 * Heartbeat (key 12): keeps the member's session; REBALANCE_IN_PROGRESS tells it to rejoin,
 * ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID that it was fenced.
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';

export const heartbeatHandler = handler(API.Heartbeat, (broker, req) => {
  try {
    broker.coordinator.heartbeat({
      groupId: req.groupId,
      memberId: req.memberId,
      generationId: req.generationId,
      groupInstanceId: req.groupInstanceId ?? undefined,
    });
    return { throttleTimeMs: 0, errorCode: KafkaCode.NONE };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: kafkaCodeOf(err) };
  }
});
