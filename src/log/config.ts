import { InvalidConfigError, TributaryError } from '../errors.ts';

/** The topic configs Tributary knows, with Kafka's names and defaults. */
export interface TopicConfig {
  /** `delete` (retention only), `compact`, or both as `compact,delete`. Default `delete`. */
  'cleanup.policy': CleanupPolicy;
  /** How long a batch is kept after its newest record's timestamp; -1 keeps it forever. Default 7 days. */
  'retention.ms': number;
  /** The most bytes a partition keeps before whole batches are deleted from its head; -1 for no limit. */
  'retention.bytes': number;
  /** How long a tombstone survives compaction, so readers catch the delete. Default 1 day. */
  'delete.retention.ms': number;
  /** Records younger than this are never compacted. Default 0 (and then record timestamps do not hold compaction back at all). */
  'min.compaction.lag.ms': number;
  /**
   * A partition whose oldest uncompacted record is older than this is compacted whatever its dirty
   * ratio. Default: never (Kafka's Long.MAX_VALUE; shown here as 2^53 - 1, the largest exact number).
   */
  'max.compaction.lag.ms': number;
  /** The share of not-yet-compacted bytes that makes a partition worth compacting. Default 0.5. */
  'min.cleanable.dirty.ratio': number;
  /** The largest batch a partition accepts, in bytes. Default 1048588, as Kafka's. */
  'max.message.bytes': number;
  /** `producer` keeps what the producer chose; a codec name recompresses on append. */
  'compression.type': CompressionConfig;
  /**
   * `CreateTime` keeps the timestamps producers gave; `LogAppendTime` stamps every batch with the
   * time the log appended it, which readers, retention and lookups by time then see. Default
   * `CreateTime`, as Kafka's.
   */
  'message.timestamp.type': TimestampTypeConfig;
  /**
   * How far before the log's clock a CreateTime record's timestamp may lie; a produced batch with
   * one earlier is refused with `INVALID_TIMESTAMP`. Default: no bound (Kafka's Long.MAX_VALUE).
   */
  'message.timestamp.before.max.ms': number;
  /**
   * How far after the log's clock a CreateTime record's timestamp may lie. Default: no bound
   * (Kafka 4.0 bounds it to an hour; see docs/decisions.md).
   */
  'message.timestamp.after.max.ms': number;
}

/** Kafka's `cleanup.policy`: `delete` by age and size, `compact` to the latest record per key, or both. */
export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
/** Kafka's `compression.type` of a topic: `producer` keeps what the producer sent, the others recompress. */
export type CompressionConfig = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
/** Kafka's `message.timestamp.type` of a topic. */
export type TimestampTypeConfig = 'CreateTime' | 'LogAppendTime';
/** The name of a topic config this log supports (`retention.ms`, `cleanup.policy`…). */
export type TopicConfigName = keyof TopicConfig;

/** Config values as a caller may give them: Kafka's strings, or numbers where the config is numeric. */
export type TopicConfigInput = { [K in TopicConfigName]?: TopicConfig[K] | string };

const DAY = 24 * 3600_000;

/**
 * The configs of a topic that sets none: Kafka's broker defaults.
 *
 * @example
 * DEFAULT_TOPIC_CONFIG['retention.ms']; // 604800000, a week
 */
export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  'cleanup.policy': 'delete',
  'retention.ms': 7 * DAY,
  'retention.bytes': -1,
  'delete.retention.ms': DAY,
  'min.compaction.lag.ms': 0,
  'max.compaction.lag.ms': Number.MAX_SAFE_INTEGER,
  'min.cleanable.dirty.ratio': 0.5,
  'max.message.bytes': 1_048_588,
  'compression.type': 'producer',
  'message.timestamp.type': 'CreateTime',
  'message.timestamp.before.max.ms': Number.MAX_SAFE_INTEGER,
  'message.timestamp.after.max.ms': Number.MAX_SAFE_INTEGER,
});

type Parser<T> = (raw: unknown, name: string) => T;

function integer(min: number, allowMinusOne: boolean): Parser<number> {
  return (raw, name) => {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (
      typeof value !== 'number' ||
      !Number.isSafeInteger(value) ||
      (value < min && !(allowMinusOne && value === -1))
    ) {
      const range = allowMinusOne ? `-1 or an integer ≥ ${min}` : `an integer ≥ ${min}`;
      throw new InvalidConfigError(`Invalid value ${JSON.stringify(raw)} for config ${name}: expected ${range}`, {
        config: name,
        value: raw,
      });
    }
    return value;
  };
}

function ratio(raw: unknown, name: string): number {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidConfigError(
      `Invalid value ${JSON.stringify(raw)} for config ${name}: expected a number in [0, 1]`,
      {
        config: name,
        value: raw,
      },
    );
  }
  return value;
}

function oneOf<T extends string>(allowed: readonly T[], normalise: (s: string) => string = (s) => s): Parser<T> {
  return (raw, name) => {
    const value = typeof raw === 'string' ? normalise(raw) : raw;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw new InvalidConfigError(
        `Invalid value ${JSON.stringify(raw)} for config ${name}: expected one of ${allowed.join(', ')}`,
        { config: name, value: raw },
      );
    }
    return value as T;
  };
}

/**
 * A duration whose "never" is Kafka's Long.MAX_VALUE: integers past 2^53 (as Kafka's tools write
 * it, a string, or a number that lost its last digits) mean the same here, kept as 2^53 - 1.
 */
function longOrNever(min: number): Parser<number> {
  return (raw, name) =>
    (typeof raw === 'string' && /^\s*\d{16,19}\s*$/.test(raw) && Number(raw) >= Number.MAX_SAFE_INTEGER) ||
    (typeof raw === 'number' && raw >= Number.MAX_SAFE_INTEGER)
      ? Number.MAX_SAFE_INTEGER
      : integer(min, false)(raw, name);
}

const parsers: { [K in TopicConfigName]: Parser<TopicConfig[K]> } = {
  'cleanup.policy': oneOf<CleanupPolicy>(['delete', 'compact', 'compact,delete'], (s) =>
    // Kafka accepts the two policies in either order and with spaces.
    s
      .split(',')
      .map((p) => p.trim())
      .sort()
      .join(','),
  ),
  'retention.ms': integer(0, true),
  'retention.bytes': integer(0, true),
  'delete.retention.ms': integer(0, false),
  'min.compaction.lag.ms': integer(0, false),
  'max.compaction.lag.ms': longOrNever(1),
  'min.cleanable.dirty.ratio': ratio,
  'max.message.bytes': integer(0, false),
  'compression.type': oneOf<CompressionConfig>(['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd']),
  'message.timestamp.type': oneOf<TimestampTypeConfig>(['CreateTime', 'LogAppendTime']),
  'message.timestamp.before.max.ms': longOrNever(0),
  'message.timestamp.after.max.ms': longOrNever(0),
};

/** The names of every topic config Tributary accepts. */
export const TOPIC_CONFIG_NAMES = Object.freeze(Object.keys(parsers) as TopicConfigName[]);

/**
 * Validates config overrides and returns them typed. An unknown name or an invalid value is
 * refused with `INVALID_CONFIG`; nothing is applied unless every entry is valid.
 */
export function parseTopicConfigs(input: Record<string, unknown> | undefined): Partial<TopicConfig> {
  const out: Partial<Record<TopicConfigName, unknown>> = {};
  if (input === undefined || input === null) return out as Partial<TopicConfig>;
  if (typeof input !== 'object') throw new TypeError('configs must be an object of config names to values');
  for (const [name, raw] of Object.entries(input)) {
    if (raw === undefined) continue;
    const parse = (parsers as Record<string, Parser<unknown>>)[name];
    if (parse === undefined) {
      throw new InvalidConfigError(`Unknown topic config "${name}"; known configs: ${TOPIC_CONFIG_NAMES.join(', ')}`, {
        config: name,
      });
    }
    out[name as TopicConfigName] = parse(raw, name);
  }
  return out as Partial<TopicConfig>;
}

/** The effective config: the log's defaults (Kafka's built-in ones unless it was given others) overlaid with a topic's overrides. */
export function effectiveConfig(
  overrides: Partial<TopicConfig>,
  defaults: Readonly<TopicConfig> = DEFAULT_TOPIC_CONFIG,
): TopicConfig {
  return { ...defaults, ...overrides };
}

export function isCompacted(config: TopicConfig): boolean {
  return config['cleanup.policy'] !== 'delete';
}

/**
 * The first of `timestamps` (record timestamps of a CreateTime topic; -1, none, is never refused)
 * outside the topic's bounds around `now`, with its index; undefined when every one is within them
 * (or the topic stamps its own). Kafka's LogValidator checks every record so.
 */
export function timestampOutOfBounds(
  config: TopicConfig,
  now: number,
  timestamps: ArrayLike<number>,
): { index: number; timestamp: number; earliest: number; latest: number } | undefined {
  if (!hasTimestampBounds(config)) return undefined;
  const before = config['message.timestamp.before.max.ms'];
  const after = config['message.timestamp.after.max.ms'];
  const earliest = before >= Number.MAX_SAFE_INTEGER ? Number.MIN_SAFE_INTEGER : now - before;
  const latest = after >= Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : now + after;
  for (let index = 0; index < timestamps.length; index++) {
    const timestamp = timestamps[index]!;
    if (timestamp !== -1 && (timestamp < earliest || timestamp > latest)) return { index, timestamp, earliest, latest };
  }
  return undefined;
}

/**
 * Whether the topic bounds its records' timestamps at all: a CreateTime topic with a bound set
 * (neither set is the common case; a LogAppendTime topic's records take the log's time).
 */
export function hasTimestampBounds(config: TopicConfig): boolean {
  return (
    !stampsAppendTime(config) &&
    (config['message.timestamp.before.max.ms'] < Number.MAX_SAFE_INTEGER ||
      config['message.timestamp.after.max.ms'] < Number.MAX_SAFE_INTEGER)
  );
}

/** Whether the log stamps the topic's batches with their append time (`message.timestamp.type=LogAppendTime`). */
export function stampsAppendTime(config: TopicConfig): boolean {
  return config['message.timestamp.type'] === 'LogAppendTime';
}

export function hasDeletePolicy(config: TopicConfig): boolean {
  return config['cleanup.policy'] !== 'compact';
}

/**
 * Refuses records whose timestamps lie outside the topic's `message.timestamp.before.max.ms` /
 * `after.max.ms` around `now`, as Kafka's LogValidator does: `INVALID_TIMESTAMP`, naming the first
 * such record (its index in the batch is `recordIndex`, which Produce answers as a record error).
 */
export function checkTimestamps(
  config: TopicConfig,
  now: number,
  timestamps: ArrayLike<number>,
  context: { topic: string; partition: number },
): void {
  const out = timestampOutOfBounds(config, now, timestamps);
  if (out === undefined) return;
  throw new TributaryError(
    'INVALID_TIMESTAMP',
    `Timestamp ${out.timestamp} of record ${out.index} is out of range: topic "${context.topic}" takes timestamps within [${out.earliest}, ${out.latest}] (message.timestamp.before.max.ms, message.timestamp.after.max.ms)`,
    { ...context, recordIndex: out.index },
  );
}

/** The log's refusal of a record without a key on a compacted topic. */
export function nullKeyRefusal(context: { topic: string; partition: number }): TributaryError {
  return new TributaryError(
    'INVALID_RECORD',
    `Compacted topic "${context.topic}" cannot accept a record without a key`,
    context,
  );
}
