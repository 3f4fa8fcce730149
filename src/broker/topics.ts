/**
 * Topic lookups the handlers share: a topic's description or undefined, auto-creation as Kafka's
 * `auto.create.topics.enable` does it, and topic UUIDs back to names.
 */
import { hasCode } from '../client/errors.ts';
import type { TopicDescription } from '../log/index.ts';
import type { BrokerContext } from './context.ts';
import { logTopicId } from './topic-ids.ts';

/** Kafka's internal topics: Metadata marks them `isInternal`. */
export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state';
}

/** The topic's description, or undefined when it does not exist. */
export async function describe(broker: BrokerContext, topic: string): Promise<TopicDescription | undefined> {
  try {
    return await broker.log.describeTopic(topic);
  } catch (err) {
    if (hasCode(err, 'UNKNOWN_TOPIC_OR_PARTITION')) return undefined;
    throw err;
  }
}

/** Creates a topic with `num.partitions` partitions; a concurrent creation of it is fine. */
export async function autoCreate(broker: BrokerContext, topic: string): Promise<TopicDescription> {
  try {
    return await broker.log.createTopic({ topic, numPartitions: broker.numPartitions });
  } catch (err) {
    if (hasCode(err, 'TOPIC_ALREADY_EXISTS')) return broker.log.describeTopic(topic);
    throw err;
  }
}

/** Lookups the embedded log answers from its maps (see `EmbeddedLog`); other logs are asked the long way. */
interface TopicLookups {
  topicIdOf(topic: string): number | undefined;
  topicNameOfId(topicId: number): string | undefined;
}

/** The log's in-memory topic lookups, when it has them (the embedded engine does). */
export function topicLookups(broker: BrokerContext): TopicLookups | undefined {
  const log = broker.log as Partial<TopicLookups>;
  return typeof log.topicIdOf === 'function' && typeof log.topicNameOfId === 'function'
    ? (log as TopicLookups)
    : undefined;
}

/** The log's id of the topic, or undefined when it does not exist. */
export async function topicIdOf(broker: BrokerContext, topic: string): Promise<number | undefined> {
  const fast = topicLookups(broker);
  if (fast !== undefined) return fast.topicIdOf(topic);
  return (await describe(broker, topic))?.topicId;
}

/** The name of the topic with this UUID, or undefined. */
export async function topicNameOf(broker: BrokerContext, uuid: string): Promise<string | undefined> {
  const id = logTopicId(uuid);
  if (id === undefined) return undefined;
  const fast = topicLookups(broker);
  if (fast !== undefined) return fast.topicNameOfId(id);
  for (const name of await broker.log.listTopics()) {
    const described = await describe(broker, name);
    if (described?.topicId === id) return name;
  }
  return undefined;
}
