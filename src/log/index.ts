export type {
  AppendRecord,
  AppendResult,
  CreateTopicSpec,
  LogBackend,
  LogHeader,
  LogRecord,
  MaintenanceReport,
  PartitionAppend,
  PartitionDescription,
  PartitionOffsets,
  ProducerStamp,
  RawBatch,
  ReadOptions,
  ReadResult,
  TopicDescription,
  WriteOptions,
} from './backend.ts';
export type { CleanupPolicy, CompressionConfig, TopicConfig, TopicConfigInput, TopicConfigName } from './config.ts';
export { DEFAULT_TOPIC_CONFIG, TOPIC_CONFIG_NAMES } from './config.ts';
export { validateTopicName } from './engine.ts';
export { type EmbeddedLogBackend, type OpenLogOptions, openLog } from './open.ts';
