/**
 * CreateTopics (key 19): topics in the log, each answered on its own (TOPIC_ALREADY_EXISTS,
 * INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_CONFIG…). numPartitions -1 takes
 * `num.partitions`; a manual assignment gives the count. One broker holds one replica, so a
 * replication factor other than 1 (or -1, the default) gets INVALID_REPLICATION_FACTOR. Configs the
 * log implements are applied; Kafka's other topic configs (segment sizes, replica settings, the
 * timestamp difference Kafka 4.0 dropped) are accepted and ignored, as they mean nothing here, and
 * unknown names refused. `validateOnly` checks without creating.
 */
import { TributaryError } from '../../errors.ts';
import { TOPIC_CONFIG_NAMES, validateTopicName } from '../../log/index.ts';
import type { CreateTopicsResponse } from '../../protocol/messages/create-topics.ts';
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode, kafkaCodeOf, kafkaMessageOf } from '../errors.ts';
import { handler } from '../handler.ts';
import { topicUuid, ZERO_UUID } from '../topic-ids.ts';
import { describe } from '../topics.ts';

type TopicResult = CreateTopicsResponse['topics'][number];

/** Kafka topic configs that have no meaning on one LevelDB-backed broker: accepted, not kept. */
export const IGNORED_KAFKA_TOPIC_CONFIGS: ReadonlySet<string> = new Set([
  'min.insync.replicas',
  'unclean.leader.election.enable',
  'segment.bytes',
  'segment.ms',
  'segment.jitter.ms',
  'segment.index.bytes',
  'index.interval.bytes',
  'file.delete.delay.ms',
  'flush.messages',
  'flush.ms',
  'preallocate',
  'message.timestamp.difference.max.ms',
  'message.downconversion.enable',
  'message.format.version',
  'max.compaction.lag.ms',
  'local.retention.ms',
  'local.retention.bytes',
  'remote.storage.enable',
  'follower.replication.throttled.replicas',
  'leader.replication.throttled.replicas',
]);

/** The configs of a request the log takes, or INVALID_CONFIG for a name neither Kafka nor the log knows. */
export function logConfigs(configs: readonly { name: string; value: string | null }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, value } of configs) {
    if ((TOPIC_CONFIG_NAMES as readonly string[]).includes(name)) {
      if (value !== null) out[name] = value;
    } else if (!IGNORED_KAFKA_TOPIC_CONFIGS.has(name)) {
      throw new TributaryError('INVALID_CONFIG', `Unknown topic config name: ${name}`, { config: name });
    }
  }
  return out;
}

export const createTopicsHandler = handler(API.CreateTopics, async (broker, req) => {
  const topics: TopicResult[] = [];
  const seen = new Set<string>();
  for (const t of req.topics) {
    const base: TopicResult = {
      name: t.name,
      topicId: ZERO_UUID,
      errorCode: KafkaCode.NONE,
      errorMessage: null,
      topicConfigErrorCode: 0,
      numPartitions: -1,
      replicationFactor: -1,
      configs: null,
    };
    if (seen.has(t.name)) {
      topics.push({
        ...base,
        errorCode: KafkaCode.INVALID_REQUEST,
        errorMessage: `Topic "${t.name}" is named twice in the request`,
      });
      continue;
    }
    seen.add(t.name);
    try {
      validateTopicName(t.name);
      if (t.replicationFactor !== -1 && t.replicationFactor !== 1 && t.assignments.length === 0) {
        throw new TributaryError(
          'INVALID_REPLICATION_FACTOR',
          `Replication factor ${t.replicationFactor} is larger than the 1 broker available`,
          { topic: t.name },
        );
      }
      if (t.assignments.some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== broker.nodeId)) {
        topics.push({
          ...base,
          errorCode: KafkaCode.INVALID_REPLICA_ASSIGNMENT,
          errorMessage: `Partitions can only be assigned to broker ${broker.nodeId}`,
        });
        continue;
      }
      const numPartitions =
        t.assignments.length > 0
          ? t.assignments.length
          : t.numPartitions === -1
            ? broker.numPartitions
            : t.numPartitions;
      const configs = logConfigs(t.configs);
      if (req.validateOnly) {
        if ((await describe(broker, t.name)) !== undefined)
          throw new TributaryError('TOPIC_ALREADY_EXISTS', `Topic "${t.name}" already exists`, { topic: t.name });
        if (!Number.isSafeInteger(numPartitions) || numPartitions < 1)
          throw new TributaryError(
            'INVALID_PARTITIONS',
            `Number of partitions must be at least 1, got ${numPartitions}`,
            { topic: t.name },
          );
        topics.push({ ...base, numPartitions, replicationFactor: 1 });
        continue;
      }
      const created = await broker.log.createTopic({ topic: t.name, numPartitions, configs });
      topics.push({
        ...base,
        topicId: topicUuid(created.topicId),
        numPartitions: created.partitions.length,
        replicationFactor: 1,
        configs: Object.entries(created.configs).map(([name, value]) => ({
          name,
          value: String(value),
          readOnly: false,
          configSource: name in created.overrides ? 1 : 5,
          isSensitive: false,
        })),
      });
    } catch (err) {
      topics.push({ ...base, errorCode: kafkaCodeOf(err), errorMessage: kafkaMessageOf(err) });
    }
  }
  return { throttleTimeMs: 0, topics };
});
