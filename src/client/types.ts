/**
 * The payload shapes of the clients, named and shaped as kafkajs v2 has them: offsets are decimal
 * strings, values `Buffer | string | null`, headers an object of `Buffer | string` (or arrays of
 * them when a key repeats).
 */

/** Record headers as kafkajs has them. */
export interface IHeaders {
  [key: string]: Buffer | string | (Buffer | string)[] | undefined;
}

/** A message to send. */
export interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: IHeaders;
  /** Milliseconds since the epoch, as a decimal string. Default: now on the Tributary clock. */
  timestamp?: string;
}

/** kafkajs's compression codec numbers. */
export enum CompressionTypes {
  None = 0,
  GZIP = 1,
  Snappy = 2,
  LZ4 = 3,
  ZSTD = 4,
}

/** One `send`. */
export interface ProducerRecord {
  topic: string;
  messages: Message[];
  /** -1 (default): fsync before resolving. 1 or 0: resolve once the write is in the OS (survives a crash of the process, not of the machine). */
  acks?: number;
  /** Accepted for compatibility; local writes do not time out. */
  timeout?: number;
  compression?: CompressionTypes;
}

/** Several topics' messages in one atomic `sendBatch`. */
export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface ProducerBatch {
  acks?: number;
  timeout?: number;
  compression?: CompressionTypes;
  topicMessages?: TopicMessages[];
}

/** Where one partition's share of a send landed. */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  offset?: string;
  timestamp?: string;
  baseOffset?: string;
  logAppendTime?: string;
  logStartOffset?: string;
}

/** A partition as kafkajs's metadata describes it (one in-process "broker", node 0). */
export interface PartitionMetadata {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas?: number[];
}

export interface ITopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

export interface PartitionerArgs {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  message: Message;
}

/** A factory of partitioners, as `createPartitioner` takes. */
export type ICustomPartitioner = () => (args: PartitionerArgs) => number;

/** A consumed message. */
export interface KafkaMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  /** The record format: 2 (record batches), as kafkajs gives it. */
  magicByte: number;
  attributes: number;
  offset: string;
  headers: IHeaders;
  size?: never;
}

export interface PartitionOffset {
  partition: number;
  offset: string;
}

export interface TopicOffsets {
  topic: string;
  partitions: PartitionOffset[];
}

export interface Offsets {
  topics: TopicOffsets[];
}

export type SeekEntry = PartitionOffset;

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: string;
}

export interface TopicPartitionOffsetAndMetadata extends TopicPartitionOffset {
  metadata?: string | null;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export type FetchOffsetsPartition = PartitionOffset & { metadata: string | null };

/** A group's state, with Kafka's names. */
export type ConsumerGroupState = 'Unknown' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead' | 'Empty';

export interface MemberDescription {
  clientHost: string;
  clientId: string;
  memberId: string;
  memberAssignment: Buffer;
  memberMetadata: Buffer;
  /** Its `group.instance.id` (KIP-345), for a static member only. */
  groupInstanceId?: string;
}

export interface GroupDescription {
  /** Kafka's error code of the group's description: 0, as kafkajs's describeGroups gives it. */
  errorCode?: number;
  groupId: string;
  members: MemberDescription[];
  protocol: string;
  protocolType: string;
  state: ConsumerGroupState;
}

export interface GroupDescriptions {
  groups: GroupDescription[];
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
}

export interface DeleteGroupsResult {
  groupId: string;
  errorCode?: number;
  error?: Error;
}
