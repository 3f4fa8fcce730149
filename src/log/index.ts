export type {
  AppendRecord,
  AppendResult,
  CreateTopicSpec,
  EndTransactionOptions,
  InitProducerOptions,
  IsolationLevel,
  LogBackend,
  LogHeader,
  LogRecord,
  MaintenanceReport,
  PartitionAppend,
  PartitionDescription,
  PartitionOffsets,
  ProducerIdentity,
  ProducerStamp,
  RawBatch,
  ReadOptions,
  ReadResult,
  TopicDescription,
  WriteOptions,
} from './backend.ts';
export type {
  CleanupPolicy,
  CompressionConfig,
  TimestampTypeConfig,
  TopicConfig,
  TopicConfigInput,
  TopicConfigName,
} from './config.ts';
export {
  checkTimestamps,
  DEFAULT_TOPIC_CONFIG,
  effectiveConfig,
  hasTimestampBounds,
  isCompacted,
  nullKeyRefusal,
  parseTopicConfigs,
  TOPIC_CONFIG_NAMES,
} from './config.ts';
export { validateTopicName } from './front.ts';
export { type EmbeddedLogBackend, type OpenLogOptions, openKvStore, openLog } from './open.ts';
export { WaitInterrupt, type WaitListener } from './wait-interrupt.ts';
export type { KvEntry, KvIterator, KvOp, KvRange, KvStore } from './storage/kv.ts';
