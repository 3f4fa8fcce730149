/**
 * Metadata (key 3): this one broker, the cluster id, and the topics asked for (all of them for a
 * null list, or an empty one before v1), each partition led by this broker with itself as the one
 * replica. A topic that does not exist is created when the broker allows it
 * (`auto.create.topics.enable`) and the request does (v4+; earlier versions always ask), as Kafka
 * does; otherwise it gets UNKNOWN_TOPIC_OR_PARTITION. From v10 topics carry their UUID, and v12
 * may ask by UUID alone.
 */
import type { TopicDescription } from '../../log/index.ts';
import { API } from '../../protocol/messages/index.ts';
import type { MetadataResponse } from '../../protocol/messages/metadata.ts';
import type { BrokerContext } from '../context.ts';
import { KafkaCode, kafkaCodeOf } from '../errors.ts';
import { handler } from '../handler.ts';
import { topicUuid, ZERO_UUID } from '../topic-ids.ts';
import { autoCreate, describe, isInternalTopic, topicNameOf } from '../topics.ts';

type TopicEntry = MetadataResponse['topics'][number];
const NO_OPERATIONS = -2147483648;

export const metadataHandler = handler(API.Metadata, async (broker, req, info) => {
  const version = info.apiVersion;
  const all = req.topics === null || (version === 0 && req.topics.length === 0);
  const topics: TopicEntry[] = [];
  if (all) {
    for (const name of await broker.log.listTopics()) {
      const described = await describe(broker, name);
      if (described !== undefined) topics.push(entry(broker, described));
    }
  } else {
    const allowCreate = broker.autoCreateTopics && (version < 4 || req.allowAutoTopicCreation);
    for (const asked of req.topics!) {
      topics.push(await lookup(broker, asked.name, asked.topicId, allowCreate));
    }
  }
  return {
    throttleTimeMs: 0,
    errorCode: KafkaCode.NONE,
    brokers: [
      {
        nodeId: broker.nodeId,
        host: (info.endpoint ?? broker.endpoint).host,
        port: (info.endpoint ?? broker.endpoint).port,
        rack: null,
      },
    ],
    clusterId: broker.clusterId,
    controllerId: broker.nodeId,
    topics,
    clusterAuthorizedOperations: NO_OPERATIONS,
  };
});

async function lookup(
  broker: BrokerContext,
  name: string | null,
  topicId: string,
  allowCreate: boolean,
): Promise<TopicEntry> {
  const byId = name === null || name === '';
  const topicName = byId ? await topicNameOf(broker, topicId) : name;
  if (topicName === undefined) return failed(KafkaCode.UNKNOWN_TOPIC_ID, null, topicId);
  try {
    const described = await describe(broker, topicName);
    if (described !== undefined) return entry(broker, described);
    if (!allowCreate || byId) return failed(KafkaCode.UNKNOWN_TOPIC_OR_PARTITION, topicName, ZERO_UUID);
    return entry(broker, await autoCreate(broker, topicName));
  } catch (err) {
    return failed(kafkaCodeOf(err), topicName, ZERO_UUID);
  }
}

function failed(errorCode: number, name: string | null, topicId: string): TopicEntry {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: NO_OPERATIONS };
}

function entry(broker: BrokerContext, topic: TopicDescription): TopicEntry {
  const node = broker.nodeId;
  return {
    errorCode: KafkaCode.NONE,
    name: topic.name,
    topicId: topicUuid(topic.topicId),
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((p) => ({
      errorCode: KafkaCode.NONE,
      partitionIndex: p.partition,
      leaderId: node,
      leaderEpoch: 0,
      replicaNodes: [node],
      isrNodes: [node],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: NO_OPERATIONS,
  };
}
