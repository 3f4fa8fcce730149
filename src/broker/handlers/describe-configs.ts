/**
 * DescribeConfigs (key 32): a topic's configs as the log has them (its overrides as
 * DYNAMIC_TOPIC_CONFIG, defaults the broker was started with as STATIC_BROKER_CONFIG, the rest as
 * DEFAULT_CONFIG), or this broker's own settings (read-only), its topic defaults under their
 * broker names (`log.retention.ms`…).
 * `configurationKeys` narrows the answer; an unknown topic gets UNKNOWN_TOPIC_OR_PARTITION.
 */
import { DEFAULT_TOPIC_CONFIG, type TopicConfig, type TopicConfigName } from '../../log/index.ts';
import { API } from '../../protocol/messages/index.ts';
import type { DescribeConfigsResponse } from '../../protocol/messages/describe-configs.ts';
import type { BrokerContext } from '../context.ts';
import { KafkaCode, kafkaCodeOf, kafkaMessageOf } from '../errors.ts';
import { handler } from '../handler.ts';
import { BROKER_NAME_OF, brokerSettingsOf } from '../topic-defaults.ts';

/** The log's topic defaults (Kafka's own for a log that has none of its own). */
function topicDefaultsOfLog(broker: BrokerContext): Readonly<TopicConfig> {
  const defaults = (broker.log as { topicDefaults?: Readonly<TopicConfig> }).topicDefaults;
  return defaults ?? DEFAULT_TOPIC_CONFIG;
}

type Config = DescribeConfigsResponse['results'][number]['configs'][number];

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;

/** Kafka's config sources and types (ConfigEntry.ConfigSource, ConfigDef.Type). */
const SOURCE = { DYNAMIC_TOPIC: 1, STATIC_BROKER: 4, DEFAULT: 5 } as const;
const TYPE: Record<string, number> = {
  'cleanup.policy': 7,
  'retention.ms': 5,
  'retention.bytes': 5,
  'delete.retention.ms': 5,
  'min.compaction.lag.ms': 5,
  'max.compaction.lag.ms': 5,
  'message.timestamp.before.max.ms': 5,
  'message.timestamp.after.max.ms': 5,
  'min.cleanable.dirty.ratio': 6,
  'max.message.bytes': 3,
  'compression.type': 2,
};

// A topic config's broker name is of its type (log.retention.ms is a LONG as retention.ms is).
for (const [topicName, brokerName] of Object.entries(BROKER_NAME_OF)) {
  const type = TYPE[topicName];
  if (type !== undefined) TYPE[brokerName] = type;
}

function entry(name: string, value: string, source: number, readOnly: boolean, synonyms: boolean): Config {
  return {
    name,
    value,
    readOnly,
    isDefault: source === SOURCE.DEFAULT,
    configSource: source,
    isSensitive: false,
    synonyms: synonyms ? [{ name, value, source }] : [],
    configType: TYPE[name] ?? 2,
    documentation: null,
  };
}

function brokerConfigs(broker: BrokerContext, synonyms: boolean): Config[] {
  const settings: [string, string][] = [
    ['node.id', String(broker.nodeId)],
    ['broker.id', String(broker.nodeId)],
    ['advertised.listeners', `PLAINTEXT://${broker.endpoint.host}:${broker.endpoint.port}`],
    ['auto.create.topics.enable', String(broker.autoCreateTopics)],
    ['num.partitions', String(broker.numPartitions)],
    ['default.replication.factor', '1'],
    ['offsets.topic.replication.factor', '1'],
    ['transaction.max.timeout.ms', '900000'],
  ];
  // The listeners and security settings (see security/authorize.ts); a sensitive one shows no value.
  const security = (broker.security?.configs ?? []).map((c) =>
    c.sensitive
      ? { ...entry(c.name, '', SOURCE.STATIC_BROKER, true, false), value: null, isSensitive: true }
      : entry(c.name, c.value ?? '', SOURCE.STATIC_BROKER, true, synonyms),
  );
  // The defaults of topic configs, by their broker names (log.retention.ms…).
  const defaults = topicDefaultsOfLog(broker);
  for (const [name, value] of brokerSettingsOf(defaults)) settings.push([name, value]);
  const replaced = new Set(security.map((c) => c.name));
  return settings
    .filter(([name]) => !replaced.has(name))
    .map(([name, value]) => entry(name, value, SOURCE.STATIC_BROKER, true, synonyms))
    .concat(security);
}

export const describeConfigsHandler = handler(API.DescribeConfigs, async (broker, req) => {
  const results: DescribeConfigsResponse['results'] = [];
  for (const r of req.resources) {
    const base = {
      errorCode: KafkaCode.NONE,
      errorMessage: null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    };
    try {
      let configs: Config[];
      if (r.resourceType === RESOURCE_TOPIC) {
        const topic = await broker.log.describeTopic(r.resourceName);
        const defaults = topicDefaultsOfLog(broker);
        configs = Object.entries(topic.configs).map(([name, value]) =>
          entry(
            name,
            String(value),
            name in topic.overrides
              ? SOURCE.DYNAMIC_TOPIC
              : // A default the broker was started with (Kafka's `log.*` settings), or Kafka's own.
                defaults[name as TopicConfigName] !== DEFAULT_TOPIC_CONFIG[name as TopicConfigName]
                ? SOURCE.STATIC_BROKER
                : SOURCE.DEFAULT,
            false,
            req.includeSynonyms,
          ),
        );
      } else if (r.resourceType === RESOURCE_BROKER) {
        configs = brokerConfigs(broker, req.includeSynonyms);
      } else {
        results.push({
          ...base,
          errorCode: KafkaCode.INVALID_REQUEST,
          errorMessage: `Resource type ${r.resourceType} is not supported`,
          configs: [],
        });
        continue;
      }
      const keys = r.configurationKeys;
      results.push({
        ...base,
        configs: keys === null || keys.length === 0 ? configs : configs.filter((c) => keys.includes(c.name)),
      });
    } catch (err) {
      results.push({ ...base, errorCode: kafkaCodeOf(err), errorMessage: kafkaMessageOf(err), configs: [] });
    }
  }
  return { throttleTimeMs: 0, results };
});
