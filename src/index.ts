/**
 * Tributary's front door: everything a program imports comes from here.
 *
 * @example
 * import { openLog, Serdes } from 'tributary';
 */
export { type Clock, ManualClock, systemClock, type TimerHandle } from './clock.ts';
export {
  CorruptRecordError,
  type ErrorCode,
  ErrorCodes,
  type ErrorContext,
  InvalidConfigError,
  InvalidTopicError,
  OffsetOutOfRangeError,
  SerializationError,
  TopologyError,
  TributaryError,
  type TributaryErrorOptions,
  UnknownTopicOrPartitionError,
} from './errors.ts';
export {
  type AppendRecord,
  type AppendResult,
  type CleanupPolicy,
  type CompressionConfig,
  type TimestampTypeConfig,
  type CreateTopicSpec,
  DEFAULT_TOPIC_CONFIG,
  type EmbeddedLogBackend,
  type EndTransactionOptions,
  type InitProducerOptions,
  type IsolationLevel,
  type LogBackend,
  type LogHeader,
  type LogRecord,
  type MaintenanceReport,
  type OpenLogOptions,
  openLog,
  type PartitionAppend,
  type PartitionDescription,
  type PartitionOffsets,
  type ProducerIdentity,
  type ProducerStamp,
  type RawBatch,
  type ReadOptions,
  type ReadResult,
  TOPIC_CONFIG_NAMES,
  type TopicConfig,
  type TopicConfigInput,
  type TopicConfigName,
  type TopicDescription,
  validateTopicName,
  WaitInterrupt,
  type WaitListener,
  type WriteOptions,
} from './log/index.ts';
export { defaultPartition, murmur2 } from './protocol/index.ts';
export * from './serde/index.ts';
// Clients (kafkajs-shaped): the Tributary factory, producer, consumer, admin, assignors, logging.
export {
  type BrokersFunction,
  type RetryOptions,
  type SASLOptions,
  Tributary,
  type TributaryConfig,
} from './client/tributary.ts';
export { Producer, type ProducerConfig, type ProducerEventName, ProducerEvents } from './client/producer.ts';
export {
  type Batch,
  type BatchProcessPayload,
  Consumer,
  type ConsumerEventName,
  type ConsumerConfig,
  type ConsumerEventPayloads,
  ConsumerEvents,
  type ConsumerRunConfig,
  type ConsumerSubscribeTopic,
  type ConsumerSubscribeTopics,
  type EachBatchHandler,
  type EachBatchPayload,
  type EachMessageHandler,
  type EachMessagePayload,
} from './client/consumer.ts';
export {
  Admin,
  type AdminEventName,
  AdminEvents,
  type ConfigEntries,
  type DescribeConfigResponse,
  ConfigResourceTypes,
  ConfigSource,
  type ITopicConfig,
  type PartitionLag,
} from './client/admin.ts';
export { Transaction } from './client/transaction.ts';
export {
  type AclBinding,
  type AclEntry,
  type AclFilter,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type DeleteAclResponse,
  type DescribeAclResponse,
  ResourcePatternTypes,
} from './client/acl.ts';
export { AssignerProtocol, type MemberAssignment, type MemberMetadata } from './client/group/assigner-protocol.ts';
export { Partitioners } from './client/partitioners.ts';
export {
  type Assignment,
  type AssignorMember,
  PartitionAssigners,
  type PartitionAssignor,
} from './client/group/assignors.ts';
export type {
  KafkajsAssigner,
  KafkajsCluster,
  KafkajsPartitionAssigner,
} from './client/group/kafkajs-assigner.ts';
export { createLogger, type LogCreator, type LogEntry, type Logger, logLevel } from './client/logger.ts';
export type { InstrumentationEvent, RemoveInstrumentationEventListener } from './client/instrumentation.ts';
export { type ClientErrorCode, ClientErrorCodes, TributaryClientError } from './client/errors.ts';
export { CompressionTypes } from './client/types.ts';
export { CompressionCodecs, type KafkaJSCodec, type KafkaJSCodecFactory } from './client/compression-codecs.ts';
export type {
  ConsumerGroupState,
  DeleteGroupsResult,
  FetchOffsetsPartition,
  GroupDescription,
  GroupDescriptions,
  GroupOverview,
  ICustomPartitioner,
  IHeaders,
  ITopicMetadata,
  KafkaMessage,
  MemberDescription,
  Message,
  Offsets,
  PartitionerArgs,
  PartitionMetadata,
  PartitionOffset,
  ProducerBatch,
  ProducerRecord,
  RecordMetadata,
  SeekEntry,
  TopicMessages,
  TopicOffsets,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
} from './client/types.ts';
export {
  type FromTopicOptions,
  fromTopic,
  type ObservedMessage,
  type ObserveOptions,
  observeConsumer,
} from './client/rx.ts';
// kafkajs's error classes (each a TributaryError); see src/client/kafkajs-errors.ts.
export {
  KAFKA_ERROR_NUMBERS,
  KafkaJSAggregateError,
  KafkaJSAlterPartitionReassignmentsError,
  KafkaJSBrokerNotFound,
  KafkaJSConnectionClosedError,
  KafkaJSConnectionError,
  KafkaJSCreateTopicError,
  KafkaJSDeleteGroupsError,
  KafkaJSDeleteTopicRecordsError,
  KafkaJSError,
  type KafkaJSErrorMetadata,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSInvalidLongError,
  KafkaJSInvalidVarIntError,
  KafkaJSInvariantViolation,
  KafkaJSLockTimeout,
  KafkaJSMemberIdRequired,
  KafkaJSMetadataNotLoaded,
  KafkaJSNoBrokerAvailableError,
  KafkaJSNonRetriableError,
  KafkaJSNotImplemented,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSOffsetOutOfRange,
  KafkaJSPartialMessageError,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
  KafkaJSServerDoesNotSupportApiKey,
  KafkaJSStaleTopicMetadataAssignment,
  KafkaJSTimeout,
  KafkaJSTopicMetadataNotLoaded,
  KafkaJSUnsupportedMagicByteInMessageSet,
} from './client/kafkajs-errors.ts';
// Streams: Kafka Streams' DSL (StreamsBuilder, KStream, KTable…), the KafkaStreams runtime and state stores.
export * from './streams/index.ts';
// Kafka Streams' processor-side RecordMetadata (topic, partition, offset of the record being
// processed). `export *` cannot re-export it as `RecordMetadata`: that name is the producer's send
// result, as in kafkajs, so it is exported under the name of its place in Kafka (processor.api).
export type { RecordMetadata as ProcessorRecordMetadata } from './streams/processor.ts';
// The broker: Kafka's wire protocol over the log, for Kafka clients in any language and process.
export { type Broker, type BrokerOptions, type Endpoint, serve } from './broker/index.ts';
// Security: HTTP authentication, roles and the Host allow-list of the REST servers (registry, console).
export {
  allows,
  defaultAllowedHosts,
  HttpAuthenticator,
  type HttpAuthOptions,
  type HttpPrincipal,
  type HttpRole,
  type HttpToken,
  type HttpUser,
  hostAllowed,
  parseTokenSpec,
  parseUserSpec,
} from './security/http.ts';
export type {
  BrokerListener,
  BrokerSaslOptions,
  BrokerSslOptions,
  ListenerSpec,
  SaslMechanism,
  SecurityProtocol,
  SslClientAuth,
} from './broker/index.ts';
// Kafka's ACL model and the users and ACLs a broker keeps in its log.
export {
  AclAuthorizer,
  type AclBinding as AuthorizerAclBinding,
  type AclBindingFilter as AuthorizerAclBindingFilter,
  type AclOperation,
  type AclPermission,
  type AuthorizationAction,
  type AuthorizationResult,
  type AuthorizerConfig,
  type PatternType,
  type RequestContext,
  type ResourceType,
} from './security/acl.ts';
export {
  IllegalTokenError,
  type OAuthBearerToken,
  type OAuthBearerValidationFailure,
  type OAuthBearerValidationResult,
  type OAuthBearerValidator,
  parseUnsecuredJws,
  type UnsecuredJws,
  type UnsecuredJwtValidatorOptions,
  unsecuredJwtValidator,
} from './security/oauthbearer.ts';
export type { PlainVerifier } from './security/plain.ts';
export type { ScramCredential, ScramCredentialOptions, ScramMechanism } from './security/scram.ts';
export { type Histogram, LatencyHistograms, RequestMetrics } from './broker/request-metrics.ts';
export { SecurityStore, SECURITY_TOPIC, type ScramUserInfo } from './security/store.ts';
