/**
 * A Kafka broker's defaults for topic configs, by their broker names (`log.retention.hours=24` in
 * `server.properties`), as the log's `topicDefaults` take them (by topic config names), and back,
 * for DescribeConfigs. Kafka's precedence holds: `log.retention.ms` over `.minutes` over `.hours`.
 */
import { TributaryError } from '../errors.ts';
import { parseTopicConfigs } from '../log/config.ts';
import type { TopicConfig, TopicConfigName } from '../log/index.ts';

/** The broker name of each topic config (Kafka's `LogConfig` synonyms). */
export const BROKER_NAME_OF: Readonly<Record<TopicConfigName, string>> = Object.freeze({
  'cleanup.policy': 'log.cleanup.policy',
  'retention.ms': 'log.retention.ms',
  'retention.bytes': 'log.retention.bytes',
  'delete.retention.ms': 'log.cleaner.delete.retention.ms',
  'min.compaction.lag.ms': 'log.cleaner.min.compaction.lag.ms',
  'max.compaction.lag.ms': 'log.cleaner.max.compaction.lag.ms',
  'min.cleanable.dirty.ratio': 'log.cleaner.min.cleanable.ratio',
  'max.message.bytes': 'message.max.bytes',
  'compression.type': 'compression.type',
  'message.timestamp.type': 'log.message.timestamp.type',
  'message.timestamp.before.max.ms': 'log.message.timestamp.before.max.ms',
  'message.timestamp.after.max.ms': 'log.message.timestamp.after.max.ms',
});

const TOPIC_NAME_OF = new Map(Object.entries(BROKER_NAME_OF).map(([topic, broker]) => [broker, topic]));
/** Retention in coarser units, weaker than `log.retention.ms` (Kafka's `LogConfig` reads them so). */
const RETENTION_UNITS: Record<string, number> = { 'log.retention.minutes': 60_000, 'log.retention.hours': 3_600_000 };

/**
 * The topic defaults that Kafka broker settings give, by topic config name. A name that is no such
 * setting, or a value its topic config refuses, is refused with `INVALID_CONFIG` naming the setting.
 *
 * @example
 * topicDefaultsOf({ 'log.retention.hours': '24' }); // { 'retention.ms': '86400000' }
 */
export function topicDefaultsOf(settings: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  let retentionUnit = Number.POSITIVE_INFINITY;
  for (const [name, value] of Object.entries(settings)) {
    const unit = RETENTION_UNITS[name];
    if (unit !== undefined) {
      // ms wins over minutes, minutes over hours, whatever the order given.
      if ('log.retention.ms' in settings || unit > retentionUnit) continue;
      // Checked as retention.ms checks its value (an integer ≥ 0, or -1 for ever), then scaled.
      const n = checked(name, 'retention.ms', value) as number;
      out['retention.ms'] = String(n === -1 ? -1 : n * unit);
      retentionUnit = unit;
      continue;
    }
    const topicName = TOPIC_NAME_OF.get(name);
    if (topicName === undefined) {
      throw new TributaryError(
        'INVALID_CONFIG',
        `${name} is not a broker setting for topic configs; known: ${[...TOPIC_NAME_OF.keys(), ...Object.keys(RETENTION_UNITS)].join(', ')}`,
        { config: name },
      );
    }
    checked(name, topicName, value);
    out[topicName] = value;
  }
  return out;
}

/** `value` parsed as the topic config `topicName` parses it, its error named as the setting `name` was given. */
function checked(name: string, topicName: string, value: string): unknown {
  try {
    return parseTopicConfigs({ [topicName]: value })[topicName as TopicConfigName];
  } catch (err) {
    throw new TributaryError('INVALID_CONFIG', `${name}: ${(err as Error).message}`, { config: name, value });
  }
}

/** The broker settings that `defaults` amounts to, by broker name, for DescribeConfigs. */
export function brokerSettingsOf(defaults: Readonly<TopicConfig>): [string, string][] {
  return (Object.keys(BROKER_NAME_OF) as TopicConfigName[]).map((name) => [
    BROKER_NAME_OF[name],
    String(defaults[name]),
  ]);
}
