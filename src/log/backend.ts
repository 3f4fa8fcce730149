import type { Clock } from '../clock.ts';
import type { TopicConfig, TopicConfigInput } from './config.ts';
import type { WaitInterrupt } from './wait-interrupt.ts';

/** A record header: a UTF-8 key and bytes (or null), as Kafka has them. */
export interface LogHeader {
  key: string;
  value: Uint8Array | null;
}

/** A record to append. A missing timestamp means "now" on the log's clock. */
export interface AppendRecord {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers?: LogHeader[];
  timestamp?: number;
}

/** A record as stored and read back: its offset never changes. */
export interface LogRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: readonly LogHeader[];
}

/** The producer identity stamped on a batch, for idempotence and transactions. */
export interface ProducerStamp {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional?: boolean;
}

/** One partition's share of an atomic write. */
export interface PartitionAppend {
  topic: string;
  partition: number;
  records: AppendRecord[];
  /** Compress this batch with this codec (the topic's `compression.type` may override it). */
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  producer?: ProducerStamp;
  /**
   * @internal `records` already encoded by the caller, in this process, as one RecordBatch v2 at
   * base offset 0 without producer or compression (`RecordBatchBuilder`): the log stores these
   * bytes instead of encoding the records again, when the append has no producer and the topic
   * keeps batches uncompressed, without reading `records`; otherwise it encodes `records`, which
   * must be the same records.
   */
  encoded?: EncodedRecords;
}

/** @internal A batch a writer encoded itself (see {@link PartitionAppend.encoded}). */
export interface EncodedRecords {
  bytes: Uint8Array;
  count: number;
  maxTimestamp: number;
  hasNullKey: boolean;
}

/** Options of a write. */
export interface WriteOptions {
  /**
   * fsync before the promise resolves, so an acknowledged write survives a power cut or `kill -9`.
   * Without it a write survives a crash of the process (the OS has the bytes) but not of the machine.
   */
  sync?: boolean;
}

/** Where one partition's records landed. */
export interface AppendResult {
  topic: string;
  partition: number;
  baseOffset: number;
  lastOffset: number;
  /**
   * When the topic stamps its batches with their append time (`message.timestamp.type`
   * `LogAppendTime`): that time, which every record of the batch now carries. -1 otherwise, as
   * Kafka's ProduceResponse says it (and for a retry answered as a duplicate).
   */
  logAppendTime: number;
}

/** Which records a reader sees, as Kafka's `isolation.level`. */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

/** Options of a read. */
export interface ReadOptions {
  /**
   * `read_uncommitted` (the log's default) sees everything up to the high watermark;
   * `read_committed` stops at the last stable offset and skips records of aborted transactions.
   */
  isolation?: IsolationLevel;
  /** Stop after about this many bytes of batches; at least one batch is always returned. Default 1 MiB. */
  maxBytes?: number;
  /** Stop after this many records. Default: no limit beyond `maxBytes`. */
  maxRecords?: number;
}

/** What a read returns. */
export interface ReadResult {
  records: LogRecord[];
  /** The offset to read from next: past the last record returned (and past any compacted gap). */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

/** A stored batch as raw RecordBatch v2 bytes, for readers that pass batches on unchanged. */
export interface RawBatch {
  baseOffset: number;
  lastOffset: number;
  bytes: Uint8Array;
}

/** A partition's offsets. */
export interface PartitionOffsets {
  partition: number;
  /** The first offset still in the log (Kafka's log start offset). */
  logStartOffset: number;
  /** One past the last offset appended: the next record's offset. */
  highWatermark: number;
  /** The first offset of the oldest open transaction, or the high watermark when none is open. */
  lastStableOffset: number;
}

/** One partition of a {@link TopicDescription}: its offsets and the bytes it stores. */
export interface PartitionDescription extends Omit<PartitionOffsets, 'lastStableOffset'> {
  /** Bytes of stored batches. */
  sizeBytes: number;
}

/**
 * A topic as {@link LogBackend.describeTopic} sees it.
 *
 * @example
 * const { partitions, configs } = await log.describeTopic('orders');
 * partitions.length; // 3
 * configs['retention.ms']; // 604800000
 */
export interface TopicDescription {
  /** The topic's name. */
  name: string;
  /** A number that is never reused, so a re-created topic is a new topic. */
  topicId: number;
  /** Its partitions, by partition number. */
  partitions: PartitionDescription[];
  /** Effective configs: defaults overlaid with the topic's own. */
  configs: TopicConfig;
  /** The configs set on the topic itself. */
  overrides: Partial<TopicConfig>;
}

/**
 * What {@link LogBackend.createTopic} makes.
 *
 * @example
 * await log.createTopic({ topic: 'orders', numPartitions: 3, configs: { 'retention.ms': 86_400_000 } });
 */
export interface CreateTopicSpec {
  /** The name: letters, digits, `.`, `_` and `-`, at most 249 characters, as Kafka's. */
  topic: string;
  /** Default 1. */
  numPartitions?: number;
  /** Kafka topic configs (`retention.ms`, `cleanup.policy`…); the rest keep their defaults. */
  configs?: TopicConfigInput;
}

/** A producer's identity: idempotence dedupes by it, transactions fence by its epoch. */
export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

/**
 * Options of {@link LogBackend.initProducerId}.
 *
 * @example
 * const { producerId, producerEpoch } = await log.initProducerId({ transactionalId: 'orders-app' });
 */
export interface InitProducerOptions {
  /**
   * Makes the producer transactional. The same id always gets the same producer id with a higher
   * epoch, which fences the previous holder and aborts its open transaction.
   */
  transactionalId?: string;
  /** An open transaction older than this is aborted by the log. Default 60 000, as Kafka's. */
  transactionTimeoutMs?: number;
  /**
   * KIP-360: the identity the producer held, when it re-initialises (InitProducerId v3+). With a
   * `transactionalId`, the epoch is bumped only when this is the current holder; a retry naming the
   * previous epoch gets the current identity again, anything else `PRODUCER_FENCED`. Without one, it
   * is ignored: an idempotent producer always gets a new producer id, as from Kafka.
   */
  expected?: ProducerIdentity;
}

export interface EndTransactionOptions extends ProducerIdentity {
  /** true writes COMMIT markers, false ABORT markers, to every partition the transaction wrote. */
  commit: boolean;
}

/** What one run of retention and compaction did. */
export interface MaintenanceReport {
  batchesDeleted: number;
  bytesDeleted: number;
  partitionsCompacted: number;
  recordsRemovedByCompaction: number;
  /** Transactions open past their timeout, aborted. */
  transactionsAborted: number;
}

/**
 * The log: topics of partitions of records with offsets that never change. Every layer above
 * (clients, streams, the registry) talks to this interface only, so the same code runs on the
 * embedded LevelDB engine, on the in-memory one, and later on a real Kafka cluster.
 *
 * @example
 * const log = await openLog({ dataDir: './.tributary' });
 * await log.createTopic({ topic: 'greetings', numPartitions: 2 });
 * const [landed] = await log.write([{ topic: 'greetings', partition: 0, records: [{ key: null, value: bytes }] }]);
 * const { records } = await log.read('greetings', 0, landed.baseOffset);
 */
export interface LogBackend {
  readonly clock: Clock;

  /** Creates a topic; `TOPIC_ALREADY_EXISTS` when the name is taken, `INVALID_PARTITIONS` past the partition bounds. */
  createTopic(spec: CreateTopicSpec): Promise<TopicDescription>;
  /** Deletes a topic and its records; waiting readers are woken. `UNKNOWN_TOPIC_OR_PARTITION` when there is none. */
  deleteTopic(topic: string): Promise<void>;
  /** The names of every topic, internal ones (`__consumer_offsets`) included. */
  listTopics(): Promise<string[]>;
  /** A topic's partitions, offsets, sizes and configs. `UNKNOWN_TOPIC_OR_PARTITION` when there is none. */
  describeTopic(topic: string): Promise<TopicDescription>;
  /**
   * Grows a topic to `count` partitions (Kafka's CreatePartitions): the new ones start empty at
   * offset 0; existing ones are untouched. A count that is not larger than the current one gets
   * INVALID_PARTITIONS. Keys map to different partitions afterwards, as in Kafka.
   */
  createPartitions(topic: string, count: number): Promise<TopicDescription>;
  /** Number of partitions, known without I/O. Throws UNKNOWN_TOPIC_OR_PARTITION. */
  partitionCount(topic: string): number;
  /** Applies config changes; `null` removes an override. All or nothing. */
  alterConfigs(topic: string, changes: Record<string, unknown>): Promise<TopicDescription>;

  /**
   * Appends records to one or more partitions in one atomic write: after a crash either all of it
   * is there or none of it. Within a partition offsets are contiguous from 0. A partition may come
   * more than once (its batches land in the order given), except with a producer stamp.
   */
  write(appends: PartitionAppend[], options?: WriteOptions): Promise<AppendResult[]>;
  /** Appends to one partition; a shorthand for a one-element {@link write}. */
  append(topic: string, partition: number, records: AppendRecord[], options?: WriteOptions): Promise<AppendResult>;

  /** Reads records from `offset` on, up to the high watermark. */
  read(topic: string, partition: number, offset: number, options?: ReadOptions): Promise<ReadResult>;
  /** Reads stored batches as they are, from the one holding `offset`. */
  readBatches(topic: string, partition: number, offset: number, options?: ReadOptions): Promise<RawBatch[]>;
  /** A partition's log start offset, high watermark and last stable offset, known without I/O. */
  offsets(topic: string, partition: number): PartitionOffsets;
  /** The earliest offset whose record's timestamp is ≥ `timestamp`, or null when there is none. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number | null>;
  /**
   * Resolves once the partition's high watermark (with `read_committed`, its last stable offset)
   * passes `offset` (at once if it has), or when `signal` aborts or is interrupted. Woken by the
   * append itself: nothing polls. A reader that waits often should pass one reusable
   * {@link WaitInterrupt} rather than a new `AbortSignal` each time.
   */
  waitForData(
    topic: string,
    partition: number,
    offset: number,
    signal?: AbortSignal | WaitInterrupt,
    isolation?: IsolationLevel,
  ): Promise<void>;

  /**
   * A producer id for idempotent writes (stamp batches with it and sequence numbers from 0 per
   * partition: a retried batch is answered with its first offsets and not appended twice) or, with
   * a transactional id, for transactions.
   */
  initProducerId(options?: InitProducerOptions): Promise<ProducerIdentity>;
  /**
   * Ends the producer's open transaction: COMMIT or ABORT markers on every partition it wrote, in
   * one atomic write. With no transaction open it does nothing.
   */
  endTransaction(options: EndTransactionOptions, writeOptions?: WriteOptions): Promise<void>;

  /**
   * Kafka's DeleteRecords: moves the partition's log start offset up to `beforeOffset` (at most the
   * high watermark) and deletes the batches wholly below it. Returns the new log start offset.
   */
  deleteRecords(topic: string, partition: number, beforeOffset: number): Promise<number>;

  /** Runs retention and compaction now, on every partition that needs it. */
  maintenance(): Promise<MaintenanceReport>;
  /** Finishes the writes in flight, stops maintenance, wakes waiting readers and releases the data directory. */
  close(): Promise<void>;
}
