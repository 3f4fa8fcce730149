/**
 * Tributary Streams: Kafka Streams' DSL and runtime on the embedded log.
 */
export { StreamsBuilder, type TableOptions } from './builder.ts';
export type { TopologyOptimization } from './internal/optimize.ts';
export { KStream } from './kstream.ts';
export { KTable, KGroupedTable, type TableChange, type TableJoinOptions } from './ktable.ts';
export { KGroupedStream, type AggregateOptions } from './kgrouped-stream.ts';
export {
  CogroupedKStream,
  SessionWindowedCogroupedKStream,
  TimeWindowedCogroupedKStream,
} from './cogrouped-kstream.ts';
export { BranchedKStream } from './branched-kstream.ts';
export { GlobalKTable } from './global-ktable.ts';
export {
  Topology,
  TopologyDescription,
  type NodeDescription,
  type SubtopologyDescription,
  type TopicNameExtractor,
} from './topology.ts';
export type {
  Branched,
  Consumed,
  Grouped,
  Joined,
  Materialized,
  MaterializedOptions,
  Named,
  Produced,
  Repartitioned,
  StreamPartitioner,
  TableJoined,
} from './options.ts';
export type {
  Cancellable,
  FixedKeyProcessorSupplier,
  Processor,
  ProcessorContext,
  ProcessorSupplier,
  PunctuationType,
  RecordMetadata,
  StreamRecord,
  TimestampExtractor,
  ValueTransformerWithKey,
  ValueTransformerWithKeySupplier,
} from './processor.ts';
export type { KeyValue, KeyValueStore, ReadOnlyKeyValueStore, StateStore } from './state/key-value-store.ts';
export { type KeyValueBytesStoreSupplier, KeyValueStoreBuilder, Stores } from './state/stores.ts';
export {
  MeteredVersionedKeyValueStore,
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
  type VersionedBytesStoreSupplier,
  type VersionedKeyValueStore,
  VersionedKeyValueStoreBuilder,
  type VersionedRecord,
} from './state/versioned-store.ts';
export type { TimestampedKeyValueStore } from './state/timestamped-store.ts';
export {
  FailOnInvalidTimestamp,
  LogAndSkipOnInvalidTimestamp,
  UsePartitionTimeOnInvalidTimestamp,
  WallclockTimestampExtractor,
} from './timestamp-extractors.ts';
export {
  MeteredWindowStore,
  type ReadOnlyWindowStore,
  type WindowBytesStoreSupplier,
  type WindowStore,
  WindowStoreBuilder,
} from './state/window-store.ts';
export { type WindowedSerde, WindowedSerdes } from './state/windowed-serdes.ts';
export { TimeWindowedKStream } from './time-windowed-kstream.ts';
export { EmitStrategy } from './emit-strategy.ts';
export {
  SessionWindows,
  SlidingWindows,
  TimeWindows,
  type Window,
  type Windowed,
  windowedToString,
} from './windows.ts';
export { SessionWindowedKStream } from './session-windowed-kstream.ts';
export { BufferConfig, Suppressed } from './suppressed.ts';
export { Printed } from './printed.ts';
export { JoinWindows } from './join-windows.ts';
export type { StreamJoined } from './stream-stream-join.ts';
export {
  MeteredSessionStore,
  type ReadOnlySessionStore,
  type SessionStore,
  SessionStoreBuilder,
} from './state/session-store.ts';
export { type ValueAndTimestamp, valueAndTimestamp } from './state/value-and-timestamp.ts';
export type {
  DeserializationErrorContext,
  DeserializationExceptionHandler,
  ProcessingErrorContext,
  ProcessingExceptionHandler,
  ProductionExceptionHandler,
  SendExceptionHandler,
  SerializationExceptionHandler,
} from './internal/task.ts';
export type { StateRestoreListener } from './restore-listener.ts';
export type { StreamsMetric } from './streams-metrics.ts';
export type { StreamThreadState, TaskMetadata, ThreadMetadata } from './thread-metadata.ts';
export { LagInfo } from './store-lags.ts';
export {
  type FailureReason,
  KeyQuery,
  MultiVersionedKeyQuery,
  Position,
  PositionBound,
  type Query,
  QueryResult,
  RangeQuery,
  type ResultOrder,
  StateQueryRequest,
  StateQueryResult,
  TimestampedKeyQuery,
  TimestampedRangeQuery,
  VersionedKeyQuery,
  WindowKeyQuery,
  WindowRangeQuery,
} from './state-query.ts';
export {
  type HostInfo,
  KEY_QUERY_NOT_AVAILABLE,
  type KeyPartitioning,
  type KeyQueryMetadata,
  type StreamsMetadata,
  UNAVAILABLE_HOST,
} from './streams-metadata.ts';
export {
  type QueryableStoreKind,
  type QueryableStoreType,
  QueryableStoreTypes,
  StoreQueryParameters,
} from './store-queries.ts';
export {
  KafkaStreams,
  type StreamsConfig,
  type StreamsState,
  type StreamsUncaughtExceptionResponse,
} from './kafka-streams.ts';
export type { TaskAssignor, TaskGroupMember } from './internal/assignor.ts';
