/**
 * What the streams runtime asks of the cluster it runs on: topics, reads, committed offsets, the
 * task group and the commit. Two implementations: the embedded log (`embedded-backend.ts`), whose
 * commit is one atomic log write, and Kafka's protocol (`wire-backend.ts`), whose commit is a Kafka
 * transaction. Everything above (the stream thread, tasks, stores) is one code path for both.
 */
import type { Clock } from '../../clock.ts';
import type {
  AppendResult,
  CreateTopicSpec,
  IsolationLevel,
  PartitionAppend,
  PartitionOffsets,
  ReadOptions,
  ReadResult,
  TopicConfig,
} from '../../log/index.ts';
import type { TaskAssignor } from '../internal/assignor.ts';
import type { EarlySends } from './record-collector.ts';

/** An input partition's position to commit. */
export interface InputOffset {
  topic: string;
  partition: number;
  offset: number;
  /** The task's partition time and processor metadata, in Kafka Streams' layout (commit-metadata.ts). */
  metadata?: string | null;
}

/** An input partition's committed position, with the metadata committed beside it (null: none). */
export interface CommittedInput {
  offset: number;
  metadata: string | null;
}

/** One commit: the sink, repartition and changelog records of every task, and their inputs' offsets. */
export interface CommitRequest {
  outputs: PartitionAppend[];
  offsets: InputOffset[];
  now: number;
  /** fsync (embedded) or `acks: -1` (wire). */
  sync: boolean;
}

export interface StreamsBackend {
  readonly clock: Clock;
  /**
   * True when a commit's results are the offsets its records have in the log, so that records for a
   * repartition partition a local task reads next can be handed to it without reading them back.
   */
  readonly handsOver: boolean;
  /**
   * True when commits may carry each partition's records already encoded as a RecordBatch
   * (`PartitionAppend.encoded`, the embedded log's): the record collector then encodes records as
   * they are sent, while their bytes are at hand, instead of the log encoding them at the commit.
   */
  readonly takesEncoded?: boolean;
  /** Configs every internal topic is created with (on top of its own). */
  readonly internalTopicConfigs: Record<string, string | number>;
  /** Configs repartition topics get on top of those (Kafka Streams' segment size for them). */
  readonly repartitionTopicConfigs: Record<string, string | number>;
  /** The largest batch an internal topic takes. */
  readonly internalBatchLimit: number;
  /**
   * Bytes of whole batches the stream thread reads per input per read (at least one batch). Every
   * record of a read is decoded at once and lives until the task processes it, so the size is what
   * a read holds in memory as objects, not only what it costs to fetch.
   */
  readonly inputReadBytes: number;
  /**
   * Over the wire with exactly-once: batches go into the open transaction as they fill, before the
   * commit (see RecordCollector). Absent: everything goes in the commit (the embedded log's one
   * atomic write).
   */
  readonly earlySends?: EarlySends;
  /** Connects (or acquires the log) and makes the app's task group. */
  open(): Promise<void>;
  /** Who shares the app's tasks: valid after `open`. */
  assignor(): TaskAssignor;
  listTopics(): Promise<string[]>;
  /** From what the backend knows (metadata read by `listTopics`, `createTopic` or `open`). */
  partitionCount(topic: string): number;
  /**
   * A topic's effective configs (its overrides over the log's or broker's defaults), when they can
   * be learned: the collector checks sinks' records against them (see record-checks.ts).
   */
  topicConfig(topic: string): Promise<TopicConfig | undefined>;
  /** Creates a topic; a `TOPIC_ALREADY_EXISTS` error when it exists. */
  createTopic(spec: CreateTopicSpec): Promise<void>;
  /** A partition's offsets as last seen: call `loadOffsets` first over the wire. */
  offsets(topic: string, partition: number): PartitionOffsets;
  loadOffsets(partitions: { topic: string; partition: number }[]): Promise<void>;
  read(topic: string, partition: number, offset: number, options: ReadOptions): Promise<ReadResult>;
  waitForData(
    topic: string,
    partition: number,
    offset: number,
    signal: AbortSignal,
    isolation?: IsolationLevel,
  ): Promise<unknown>;
  /**
   * Over the wire: a partition read to its end as far as the backend knows gets a wait on its way,
   * so that its new records are learned of while the thread works on other inputs (its offsets are
   * those of its last Fetch). Absent on the embedded log, whose offsets are always current.
   */
  watch?(topic: string, partition: number, offset: number, isolation: IsolationLevel): void;
  /** The app's committed input offsets and their metadata, per `topic:partition`. */
  readCommitted(topics: string[]): Promise<Map<string, CommittedInput>>;
  /** Writes outputs and offsets: together (exactly-once) or outputs first (at-least-once). */
  commit(request: CommitRequest): Promise<AppendResult[]>;
  /** Resolves once every commit queued before it (by anyone in this process) is visible. */
  barrier(): Promise<void>;
  /** Deletes a repartition partition's records below `before` (Kafka's DeleteRecords). */
  deleteRecords(topic: string, partition: number, before: number): Promise<void>;
  /** Gives back connections or the log. */
  close(): Promise<void>;
}
