/**
 * DeleteTopics (key 20): topics by name (v0-5) or by name or UUID (v6+), each answered on its own.
 * Kafka's internal topics cannot be deleted.
 */
import { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf, kafkaMessageOf } from '../errors.ts';
import { handler } from '../handler.ts';
import { topicUuid, ZERO_UUID } from '../topic-ids.ts';
import { describe, isInternalTopic, topicNameOf } from '../topics.ts';

export const deleteTopicsHandler = handler(API.DeleteTopics, async (broker, req, info) => {
  const asked = info.apiVersion >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
  const responses = [];
  for (const t of asked) {
    const name = t.name ?? (await topicNameOf(broker, t.topicId));
    try {
      if (name === undefined) throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `No topic with id ${t.topicId}`);
      if (isInternalTopic(name))
        throw new TributaryError('INVALID_REQUEST', `Internal topic "${name}" cannot be deleted`, { topic: name });
      const described = await describe(broker, name);
      if (described === undefined)
        throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic "${name}" does not exist`, { topic: name });
      await broker.log.deleteTopic(name);
      responses.push({ name, topicId: topicUuid(described.topicId), errorCode: KafkaCode.NONE, errorMessage: null });
    } catch (err) {
      const code = t.name === null && name === undefined ? KafkaCode.UNKNOWN_TOPIC_ID : kafkaCodeOf(err);
      responses.push({ name: name ?? null, topicId: t.topicId, errorCode: code, errorMessage: kafkaMessageOf(err) });
    }
  }
  return { throttleTimeMs: 0, responses };
});
