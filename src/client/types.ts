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

/** `producer.sendBatch`'s argument: messages for several topics, with the options of `send`. */
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

/** A topic as `admin.fetchTopicMetadata` describes it, kafkajs's shape. */
export interface ITopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

/** What a partitioner is called with: the topic, its partitions and the message to place. */
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

/** An offset of one partition, as a string as in kafkajs. */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

/** Offsets of some partitions of one topic. */
export interface TopicOffsets {
  topic: string;
  partitions: PartitionOffset[];
}

/** Offsets of several topics: what a transaction's `sendOffsets` and `uncommittedOffsets()` carry. */
export interface Offsets {
  topics: TopicOffsets[];
}

/** Where `consumer.seek` moves one partition. */
export type SeekEntry = PartitionOffset;

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A partition of a topic and an offset in it. */
export interface TopicPartitionOffset extends TopicPartition {
  offset: string;
}

/** An offset to commit, with the metadata string stored beside it. */
export interface TopicPartitionOffsetAndMetadata extends TopicPartitionOffset {
  metadata?: string | null;
}

/** Some partitions of one topic: what `pause`, `resume` and `paused` name. */
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** A committed offset as `admin.fetchOffsets` gives it: -1 when the group committed none. */
export type FetchOffsetsPartition = PartitionOffset & { metadata: string | null };

/** A group's state, with Kafka's names. */
export type ConsumerGroupState = 'Unknown' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead' | 'Empty';

/** A member of a group: its client, and its assignment and metadata as the group protocol encodes them. */
export interface MemberDescription {
  clientHost: string;
  clientId: string;
  memberId: string;
  memberAssignment: Buffer;
  memberMetadata: Buffer;
  /** Its `group.instance.id` (KIP-345), for a static member only. */
  groupInstanceId?: string;
}

/** A consumer group as `admin.describeGroups` describes it: its state, protocol and members. */
export interface GroupDescription {
  /** Kafka's error code of the group's description: 0, as kafkajs's describeGroups gives it. */
  errorCode?: number;
  groupId: string;
  members: MemberDescription[];
  protocol: string;
  protocolType: string;
  state: ConsumerGroupState;
}

/** `admin.describeGroups`'s answer. */
export interface GroupDescriptions {
  groups: GroupDescription[];
}

/** A group as `admin.listGroups` lists it. */
export interface GroupOverview {
  groupId: string;
  protocolType: string;
}

/** The outcome of deleting one group with `admin.deleteGroups`. */
export interface DeleteGroupsResult {
  groupId: string;
  errorCode?: number;
  error?: Error;
}
