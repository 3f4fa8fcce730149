/**
 * The log's validating front, in abstract-level's shape: each public method of {@link LogBackend}
 * checks its arguments once, here, and then calls a small hook (`_read`, `_write`…) that an
 * implementation writes without checking them again. Why: the checks are the contract (which
 * argument gets a `TypeError`, which an `INVALID_REQUEST`, and in which order), so they are written
 * once for every implementation instead of once per method per implementation.
 *
 * What needs the log's state (is it open, does the topic exist, is the offset in range) stays with
 * the implementation: the front asks for it through `_checkOpen`, `_checkWritable`, `_topic` and
 * `_partition`, in the order the checks have always run.
 */
import type { Clock } from '../clock.ts';
import { InvalidTopicError, TributaryError } from '../errors.ts';
import type {
  AppendRecord,
  AppendResult,
  CreateTopicSpec,
  EndTransactionOptions,
  InitProducerOptions,
  IsolationLevel,
  LogBackend,
  MaintenanceReport,
  PartitionAppend,
  PartitionOffsets,
  ProducerIdentity,
  RawBatch,
  ReadOptions,
  ReadResult,
  TopicDescription,
  WriteOptions,
} from './backend.ts';
import { WaitInterrupt } from './wait-interrupt.ts';

const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME_LENGTH = 249;

/** Checks a topic name the way Kafka does. */
export function validateTopicName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new TypeError(`topic must be a string, got ${typeof name}`);
  if (name.length === 0) throw new InvalidTopicError('Topic name is empty', { topic: name });
  if (name === '.' || name === '..') throw new InvalidTopicError(`Topic name cannot be "${name}"`, { topic: name });
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new InvalidTopicError(`Topic name is ${name.length} characters long; the limit is ${MAX_TOPIC_NAME_LENGTH}`, {
      topic: name,
    });
  }
  if (!TOPIC_NAME.test(name)) {
    throw new InvalidTopicError(
      `Topic name "${name}" is illegal: it may contain only ASCII letters, digits, '.', '_' and '-'`,
      { topic: name },
    );
  }
}

function checkIsolation(isolation: unknown): void {
  if (isolation !== undefined && isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
    throw new TypeError(`isolation must be 'read_committed' or 'read_uncommitted', got ${JSON.stringify(isolation)}`);
  }
}

function checkOffsetArgument(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TributaryError('INVALID_REQUEST', `${name} must be a non-negative integer, got ${String(value)}`);
  }
}

function checkReadArguments(offset: number, options: ReadOptions): void {
  checkOffsetArgument('offset', offset);
  checkIsolation(options.isolation);
  // Absent (or null) takes the implementation's default, which passes.
  const maxBytes = options.maxBytes ?? 0;
  if (!(maxBytes >= 0)) throw new TributaryError('INVALID_REQUEST', `maxBytes must be ≥ 0, got ${maxBytes}`);
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  if (!(maxRecords >= 1)) throw new TributaryError('INVALID_REQUEST', `maxRecords must be ≥ 1, got ${maxRecords}`);
}

/** A topic to create, its arguments checked: a valid name and a partition count ≥ 1. */
export interface CheckedTopicSpec {
  topic: string;
  numPartitions: number;
  configs: CreateTopicSpec['configs'];
}

/**
 * {@link LogBackend} with its arguments checked once. `T` and `P` are the implementation's own
 * handles of a topic and of a partition, which the front passes from `_topic`/`_partition` to the
 * hooks.
 */
export abstract class LogFront<T, P> implements LogBackend {
  abstract readonly clock: Clock;

  /** Throws `LOG_CLOSED` unless the log is open. */
  protected abstract _checkOpen(): void;
  /** Throws unless the log takes writes (open, and no storage failure). */
  protected abstract _checkWritable(): void;
  /** The topic named: `LOG_CLOSED`, a `TypeError` for a name that is not a string, `UNKNOWN_TOPIC_OR_PARTITION`. */
  protected abstract _topic(name: string): T;
  /** The partition named, checked as {@link _topic} and then by number. */
  protected abstract _partition(topic: string, partition: number): P;

  protected abstract _createTopic(spec: CheckedTopicSpec): Promise<TopicDescription>;
  protected abstract _deleteTopic(topic: T): Promise<void>;
  protected abstract _listTopics(): Promise<string[]>;
  protected abstract _describeTopic(topic: T): TopicDescription;
  protected abstract _createPartitions(topic: T, count: number): Promise<TopicDescription>;
  protected abstract _partitionCount(topic: T): number;
  protected abstract _alterConfigs(topic: T, changes: Record<string, unknown>): Promise<TopicDescription>;
  protected abstract _write(appends: PartitionAppend[], options: WriteOptions): Promise<AppendResult[]>;
  protected abstract _read(partition: P, offset: number, options: ReadOptions): Promise<ReadResult>;
  protected abstract _readBatches(partition: P, offset: number, options: ReadOptions): Promise<RawBatch[]>;
  protected abstract _offsets(partition: P): Omit<PartitionOffsets, 'partition'>;
  protected abstract _offsetForTimestamp(partition: P, timestamp: number): Promise<number | null>;
  protected abstract _waitForData(
    partition: P,
    offset: number,
    signal: AbortSignal | WaitInterrupt | undefined,
    isolation: IsolationLevel,
  ): Promise<void>;
  protected abstract _initProducerId(options: InitProducerOptions): Promise<ProducerIdentity>;
  protected abstract _endTransaction(options: EndTransactionOptions, writeOptions: WriteOptions): Promise<void>;
  protected abstract _deleteRecords(partition: P, beforeOffset: number): Promise<number>;
  protected abstract _maintenance(): Promise<MaintenanceReport>;
  protected abstract _close(): Promise<void>;

  // ---------------------------------------------------------------- topics

  async createTopic(spec: CreateTopicSpec): Promise<TopicDescription> {
    this._checkWritable();
    if (spec === null || typeof spec !== 'object')
      throw new TypeError('createTopic takes { topic, numPartitions?, configs? }');
    const { topic, numPartitions = 1, configs } = spec;
    validateTopicName(topic);
    if (!Number.isSafeInteger(numPartitions) || numPartitions < 1) {
      throw new TributaryError(
        'INVALID_PARTITIONS',
        `numPartitions must be an integer ≥ 1, got ${String(numPartitions)}`,
        {
          topic,
        },
      );
    }
    return this._createTopic({ topic, numPartitions, configs });
  }

  async deleteTopic(topic: string): Promise<void> {
    this._checkWritable();
    return this._deleteTopic(this._topic(topic));
  }

  async listTopics(): Promise<string[]> {
    this._checkOpen();
    return this._listTopics();
  }

  async describeTopic(topic: string): Promise<TopicDescription> {
    return this._describeTopic(this._topic(topic));
  }

  async createPartitions(topic: string, count: number): Promise<TopicDescription> {
    this._checkWritable();
    return this._createPartitions(this._topic(topic), count);
  }

  partitionCount(topic: string): number {
    return this._partitionCount(this._topic(topic));
  }

  async alterConfigs(topic: string, changes: Record<string, unknown>): Promise<TopicDescription> {
    this._checkWritable();
    const handle = this._topic(topic);
    if (changes === null || typeof changes !== 'object') throw new TypeError('alterConfigs takes an object of changes');
    return this._alterConfigs(handle, changes);
  }

  // ---------------------------------------------------------------- writes

  async write(appends: PartitionAppend[], options: WriteOptions = {}): Promise<AppendResult[]> {
    this._checkWritable();
    if (!Array.isArray(appends)) throw new TypeError('write takes an array of { topic, partition, records }');
    return this._write(appends, options);
  }

  async append(
    topic: string,
    partition: number,
    records: AppendRecord[],
    options?: WriteOptions,
  ): Promise<AppendResult> {
    const [result] = await this.write([{ topic, partition, records }], options);
    return result!;
  }

  // ---------------------------------------------------------------- reads

  async read(topic: string, partition: number, offset: number, options: ReadOptions = {}): Promise<ReadResult> {
    const handle = this._partition(topic, partition);
    checkReadArguments(offset, options);
    return this._read(handle, offset, options);
  }

  async readBatches(topic: string, partition: number, offset: number, options: ReadOptions = {}): Promise<RawBatch[]> {
    const handle = this._partition(topic, partition);
    checkReadArguments(offset, options);
    return this._readBatches(handle, offset, options);
  }

  offsets(topic: string, partition: number): PartitionOffsets {
    return { partition, ...this._offsets(this._partition(topic, partition)) };
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number | null> {
    const handle = this._partition(topic, partition);
    if (typeof timestamp !== 'number' || Number.isNaN(timestamp)) throw new TypeError('timestamp must be a number');
    return this._offsetForTimestamp(handle, timestamp);
  }

  waitForData(
    topic: string,
    partition: number,
    offset: number,
    signal?: AbortSignal | WaitInterrupt,
    isolation: IsolationLevel = 'read_uncommitted',
  ): Promise<void> {
    const handle = this._partition(topic, partition);
    checkIsolation(isolation);
    // Checked here: a wrong object would only fail later, inside close(), and keep the directory locked.
    if (signal !== undefined && !(signal instanceof AbortSignal) && !((signal as unknown) instanceof WaitInterrupt)) {
      throw new TypeError('waitForData takes an AbortSignal (or a WaitInterrupt) as its signal');
    }
    return this._waitForData(handle, offset, signal, isolation);
  }

  // ---------------------------------------------------------------- producers and transactions

  async initProducerId(options: InitProducerOptions = {}): Promise<ProducerIdentity> {
    this._checkWritable();
    const { transactionalId, transactionTimeoutMs = 60_000 } = options;
    if (!Number.isSafeInteger(transactionTimeoutMs) || transactionTimeoutMs < 1) {
      throw new TributaryError(
        'INVALID_REQUEST',
        `transactionTimeoutMs must be a positive integer, got ${transactionTimeoutMs}`,
      );
    }
    if (transactionalId !== undefined && (typeof transactionalId !== 'string' || transactionalId.length === 0)) {
      throw new TypeError('transactionalId must be a non-empty string');
    }
    return this._initProducerId(options);
  }

  async endTransaction(options: EndTransactionOptions, writeOptions: WriteOptions = { sync: true }): Promise<void> {
    this._checkWritable();
    return this._endTransaction(options, writeOptions);
  }

  // ---------------------------------------------------------------- maintenance

  async deleteRecords(topic: string, partition: number, beforeOffset: number): Promise<number> {
    this._checkWritable();
    const handle = this._partition(topic, partition);
    checkOffsetArgument('beforeOffset', beforeOffset);
    return this._deleteRecords(handle, beforeOffset);
  }

  async maintenance(): Promise<MaintenanceReport> {
    this._checkWritable();
    return this._maintenance();
  }

  close(): Promise<void> {
    return this._close();
  }
}
