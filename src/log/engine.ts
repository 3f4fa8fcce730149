import { type Clock, systemClock, type TimerHandle } from '../clock.ts';
import { OffsetOutOfRangeError, TributaryError, UnknownTopicOrPartitionError } from '../errors.ts';
import {
  type BatchInput,
  decodeRecordBatch,
  scanRecordBatch,
  encodeControlBatch,
  encodeRecordBatch,
  encodeRecordBatchInSlices,
  type RecordInput,
  readBatchHeader,
  setBaseOffset,
  setLogAppendTime,
} from '../protocol/index.ts';
import type {
  AppendResult,
  EndTransactionOptions,
  InitProducerOptions,
  IsolationLevel,
  LogBackend,
  LogHeader,
  LogRecord,
  MaintenanceReport,
  PartitionAppend,
  PartitionOffsets,
  ProducerIdentity,
  ProducerStamp,
  RawBatch,
  ReadOptions,
  ReadResult,
  TopicDescription,
  WriteOptions,
} from './backend.ts';
import { compactPartition } from './compaction.ts';
import {
  effectiveConfig,
  hasDeletePolicy,
  hasTimestampBounds,
  isCompacted,
  parseTopicConfigs,
  stampsAppendTime,
  checkTimestamps,
  nullKeyRefusal,
  type TopicConfig,
  type TopicConfigInput,
} from './config.ts';
import {
  abortedTxnKey,
  batchKey,
  batchKeyOffset,
  decodePartitionState,
  deletedTopicKey,
  encodePartitionState,
  encodeU64,
  KIND_ABORTED_TXN,
  KIND_BATCH,
  KIND_DELETED_TOPIC,
  KIND_OPEN_TXN,
  KIND_PARTITION_STATE,
  KIND_PRODUCER_STATE,
  KIND_TIME_INDEX,
  KIND_TOPIC,
  KIND_TRANSACTIONAL_ID,
  KIND_WRITE_TIME,
  kindRange,
  NEXT_PRODUCER_ID_KEY,
  NEXT_TOPIC_ID_KEY,
  openTxnKey,
  parsePartitionKey,
  partitionRange,
  partitionStateKey,
  producerStateKey,
  readU64,
  timeIndexKey,
  timeIndexKeyTimestamp,
  topicKey,
  topicRange,
  transactionalIdKey,
  writeTimeKey,
} from './keys.ts';
import { PartitionState, type TopicState } from './partition.ts';
import {
  type AbortedTxn,
  checkSequence,
  decodeJson,
  encodeJson,
  isAborted,
  DEFAULT_PRODUCER_ID_EXPIRATION_MS,
  expireProducers,
  type ProducerEntry,
  rememberBatch,
  type SequenceCheck,
} from './producers.ts';
import { recoverJournal } from './recovery.ts';
import { deleteRecordsBefore, enforceRetention } from './retention.ts';
import { describeStorageFailure } from './storage/failure.ts';
import { Journal } from './storage/journal.ts';
import type { KvIterator, KvOp, KvRange, KvStore } from './storage/kv.ts';
import type { MaintenancePort } from './maintenance-port.ts';
import type { WaitInterrupt } from './wait-interrupt.ts';
import { WriteQueue } from './write-queue.ts';
import { type CheckedTopicSpec, LogFront } from './front.ts';
import { type OpenTxn, TransactionCoordinator, type TransactionalProducer } from './transaction-coordinator.ts';
import { TimeSlice } from '../time-slice.ts';

const DEFAULT_MAX_BYTES = 1024 * 1024;
/** The most one call to the store gathers for a read, whatever its `maxBytes` (a bound on memory). */
const MAX_GATHER_BYTES = 64 * 1024 * 1024;
/** Kafka's ListOffsets sentinels, as {@link EmbeddedLog.offsetForTimestamp} takes them. */
const LATEST_TIMESTAMP = -1;
const EARLIEST_TIMESTAMP = -2;
const MAX_TIMESTAMP = -3;
const EMPTY_PARTITION = Object.freeze({
  logStartOffset: 0,
  nextOffset: 0,
  sizeBytes: 0,
  cleanedUpTo: 0,
  dirtyBytes: 0,
});

/** New, empty partitions `from` up to `to` of a topic, with the ops that store their state. */
/** The states of new partitions `[from, to)` and their writes, made in slices (10,000 take ~100 ms). */
async function emptyPartitions(topic: TopicState, from: number, to: number, ops: KvOp[]): Promise<PartitionState[]> {
  const added: PartitionState[] = [];
  const slice = new TimeSlice();
  for (let p = from; p < to; p++) {
    if (slice.due) await slice.pause();
    const state = new PartitionState(topic, p, EMPTY_PARTITION, -1);
    added.push(state);
    ops.push({ type: 'put', key: state.stateKey, value: encodePartitionState(state) });
  }
  return added;
}
const decoder = new TextDecoder();
const encoder = new TextEncoder();

export interface EngineOptions {
  clock?: Clock;
  /** How often retention and compaction run in the background, in clock milliseconds. Default 15 s; 0 turns it off. */
  maintenanceIntervalMs?: number;
  /**
   * Memory for one compaction's map of latest offsets by key, Kafka's
   * `log.cleaner.dedupe.buffer.size`. Default 128 MiB. When a partition's dirty part has more keys
   * than fit, a compaction cleans up to where the map filled and the next one goes on from there.
   */
  compactionMapBytes?: number;
  /**
   * Where small writes are journaled before LevelDB has them (see storage/journal.ts). Without
   * one, every append waits for its store write.
   */
  journalDir?: string;
  /** The data directory, absolute, for those who name it (the broker's DescribeLogDirs); none in memory. */
  dataDir?: string;
  /**
   * The configs of topics that do not set them, in place of Kafka's defaults (a broker's `log.*`
   * settings); checked as a topic's are (`INVALID_CONFIG`).
   */
  topicDefaults?: TopicConfigInput;
  /** Kafka's `producer.id.expiration.ms`: producer state idle this long (and with no open transaction) is forgotten. Default 1 day. */
  producerIdExpirationMs?: number;
  /** The most partitions one topic may have. Default 50,000. */
  maxPartitionsPerTopic?: number;
  /** The most partitions all topics together may have. Default 200,000. */
  maxPartitions?: number;
}

/**
 * Why limits at all: a partition costs memory (its state, its tail) and a key or two in LevelDB,
 * and `numPartitions: 2 ** 31` ran the process out of memory instead of failing. Kafka's own
 * guidance is a few thousand partitions per broker; these defaults sit far above that.
 */
export const DEFAULT_MAX_PARTITIONS_PER_TOPIC = 50_000;
export const DEFAULT_MAX_PARTITIONS = 200_000;

interface StoredTopic {
  name: string;
  topicId: number;
  numPartitions: number;
  overrides: Partial<TopicConfig>;
}

/** A batch checked and encoded, waiting for its offsets. */
interface Prepared {
  state: PartitionState;
  /** Undefined for a duplicate of a batch already appended. */
  bytes: Uint8Array | undefined;
  count: number;
  maxTimestamp: number;
  check: SequenceCheck;
  producer: ProducerStamp | undefined;
  /** Copies a large record's bytes into `bytes` in slices (see encodeRecordBatchInSlices); awaited before the commit. */
  finish?: (() => Promise<void>) | undefined;
}

/**
 * Throws a `TypeError` for an engine option that is not a whole number in range (`"x"` made
 * maintenance run every millisecond). `openLog` calls it before it touches the data directory.
 */
export function checkEngineOptions(options: EngineOptions): void {
  const optional = (name: keyof EngineOptions, min: number) => {
    if (options[name] !== undefined) checkLimit(name, options[name], min);
  };
  optional('maintenanceIntervalMs', 0);
  optional('compactionMapBytes', 1);
  optional('producerIdExpirationMs', 1);
  optional('maxPartitionsPerTopic', 1);
  optional('maxPartitions', 1);
}

/** An engine option that must be a whole number of at least `min`; anything else is a programmer mistake. */
function checkLimit(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new TypeError(
      `${name} must be an integer ≥ ${min}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
    );
  }
}

/**
 * The embedded log: {@link LogBackend} on a sorted key-value store, LevelDB on disk or memory in
 * tests. One RecordBatch v2 per key, keys in offset order, every state change one atomic write.
 */
/** Batches up to this size are copied into a shared slab of {@link SLAB_BYTES}. */
const SLAB_MAX_COPY = 4 * 1024;
const SLAB_BYTES = 64 * 1024;
let slab: Uint8Array | undefined;
let slabUsed = 0;

/**
 * A copy of a produced batch. Small ones share 64 KiB slabs: one ArrayBuffer per slab instead of one
 * per batch (10,000 one-record produces a second made 10,000, each tracked by V8 from young
 * generation to old while the in-memory tail kept it). A slab lives as long as one of its batches
 * is referenced; the tail drops batches oldest first, so slabs go in order too.
 */
function copyBatch(batch: Uint8Array): Uint8Array {
  const size = batch.length;
  if (size > SLAB_MAX_COPY) return Uint8Array.prototype.slice.call(batch);
  if (slab === undefined || slabUsed + size > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const copy = slab.subarray(slabUsed, slabUsed + size);
  copy.set(batch);
  // 8-byte aligned, as a fresh buffer is.
  slabUsed += (size + 7) & ~7;
  return copy;
}

export class EmbeddedLog extends LogFront<TopicState, PartitionState> {
  readonly clock: Clock;
  /** Where the log lives, absolute; undefined in memory. */
  readonly dataDir: string | undefined;
  /** What a topic's config is where the topic sets nothing: Kafka's defaults, or the ones the log was opened with. */
  readonly topicDefaults: Readonly<TopicConfig>;
  readonly #store: KvStore;
  /** All that retention and compaction reach of the engine. */
  readonly #maintenance: MaintenancePort;
  readonly #queue: WriteQueue<PartitionState>;
  readonly #topics = new Map<string, TopicState>();
  /** The same topics by id: transactions name their partitions by topic id. */
  readonly #topicsById = new Map<number, TopicState>();
  /** Partitions of every topic together, kept as topics come and go (sizes the tail caches). */
  #partitionTotal = 0;
  readonly #maintenanceIntervalMs: number;
  #nextTopicId = 1;
  /** Producer ids, transactional ids and open transactions; it reaches the engine through a port. */
  readonly #transactions: TransactionCoordinator;
  #open = false;
  #closing = false;
  #timer: TimerHandle | undefined;
  #maintenanceRun: Promise<MaintenanceReport> | undefined;
  readonly #producerIdExpirationMs: number;
  readonly #maxPartitionsPerTopic: number;
  readonly #maxPartitions: number;

  private constructor(store: KvStore, options: EngineOptions) {
    super();
    this.#store = store;
    this.clock = options.clock ?? systemClock;
    this.dataDir = options.dataDir;
    this.topicDefaults = Object.freeze(
      effectiveConfig(parseTopicConfigs(options.topicDefaults as Record<string, unknown> | undefined)),
    );
    this.#queue = new WriteQueue<PartitionState>(
      store,
      (dirty) =>
        Array.from(dirty, (state) => ({
          type: 'put' as const,
          key: state.stateKey,
          value: encodePartitionState(state),
        })),
      this.clock,
    );
    this.#maintenanceIntervalMs = options.maintenanceIntervalMs ?? 15_000;
    this.#maintenance = {
      clock: this.clock,
      compactionMapBytes: options.compactionMapBytes ?? 128 * 1024 * 1024,
      iterate: (range) => this.#iterate(range),
      enqueueWrite: (ops, sync = false) => this.#queue.enqueue(ops, sync),
    };
    this.#producerIdExpirationMs = options.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    this.#maxPartitionsPerTopic = options.maxPartitionsPerTopic ?? DEFAULT_MAX_PARTITIONS_PER_TOPIC;
    this.#maxPartitions = options.maxPartitions ?? DEFAULT_MAX_PARTITIONS;
    this.#transactions = new TransactionCoordinator({
      clock: this.clock,
      putNextProducerId: (next, ops) => ops.push({ type: 'put', key: NEXT_PRODUCER_ID_KEY, value: encodeU64(next) }),
      putTransactionalId: (transactionalId, producer, ops) =>
        ops.push({ type: 'put', key: transactionalIdKey(transactionalId), value: encodeJson(producer) }),
      putOpenTxn: (producerId, txn, ops) =>
        ops.push(
          txn === undefined
            ? { type: 'del', key: openTxnKey(producerId) }
            : { type: 'put', key: openTxnKey(producerId), value: encodeJson(txn) },
        ),
      writeMarkers: (producerId, epoch, partitions, commit, ops) =>
        this.#writeMarkers(producerId, epoch, partitions, commit, ops),
      enqueue: (ops, sync) => this.#queue.enqueue(ops, sync),
    });
    checkEngineOptions(options);
  }

  /** Opens the store and loads every topic's state. */
  static async open(store: KvStore, options: EngineOptions = {}): Promise<EmbeddedLog> {
    const log = new EmbeddedLog(store, options);
    await store.open();
    try {
      if (options.journalDir !== undefined) {
        const nextSeq = await recoverJournal(store, options.journalDir);
        log.#queue.attachJournal(Journal.create(options.journalDir, nextSeq));
      }
      await log.#load();
    } catch (err) {
      await store.close().catch(() => undefined);
      if (err instanceof TributaryError) throw err;
      // Metadata that does not parse: a damaged data directory, reported as such, never half-opened.
      throw new TributaryError('STORAGE_ERROR', 'The data directory holds log metadata that cannot be read', {
        cause: err,
      });
    }
    log.#open = true;
    log.#schedule();
    return log;
  }

  async #load(): Promise<void> {
    const idBytes = await this.#store.get(NEXT_TOPIC_ID_KEY);
    if (idBytes !== undefined) this.#nextTopicId = readU64(idBytes, 0);

    // Finish deleting topics whose deletion a crash interrupted.
    for (const [key] of await this.#all(kindRange(KIND_DELETED_TOPIC))) {
      const topicId = new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(1);
      await this.#clearTopicData(topicId);
      await this.#store.write([{ type: 'del', key }], false);
    }

    for (const [, value] of await this.#all(kindRange(KIND_TOPIC))) {
      const stored = JSON.parse(decoder.decode(value)) as StoredTopic;
      const topic: TopicState = {
        name: stored.name,
        topicId: stored.topicId,
        overrides: stored.overrides,
        config: effectiveConfig(stored.overrides, this.topicDefaults),
        partitions: [],
        deleted: false,
      };
      for (let p = 0; p < stored.numPartitions; p++) {
        const { state, empty } = await this.#loadPartitionState(stored.name, stored.topicId, p);
        // An empty partition has no index entry that matters, and a seek into its empty range reads
        // the neighbouring entry, which may be another partition's largest batch.
        const lastIndex = empty
          ? undefined
          : await this.#first({ ...partitionRange(KIND_TIME_INDEX, stored.topicId, p), reverse: true });
        const maxTimestamp = lastIndex === undefined ? -1 : timeIndexKeyTimestamp(lastIndex[0]);
        topic.partitions.push(new PartitionState(topic, p, state, maxTimestamp));
      }
      this.#topics.set(topic.name, topic);
      this.#topicsById.set(topic.topicId, topic);
      this.#partitionTotal += topic.partitions.length;
    }
    await this.#checkOrphans();
    await this.#loadProducers();
  }

  /**
   * Partition states of a topic id that has no metadata: the topic's record was lost (a damaged
   * table), and opening without it would silently drop the topic and its data.
   */
  async #checkOrphans(): Promise<void> {
    for (const [key] of await this.#all(kindRange(KIND_PARTITION_STATE))) {
      const { topicId, partition } = parsePartitionKey(key);
      if (!this.#topicsById.has(topicId)) {
        throw new TributaryError(
          'CORRUPT_MESSAGE',
          `The store holds partition ${partition} of topic id ${topicId}, whose topic metadata is missing; run "trib doctor"`,
          { topicId, partition },
        );
      }
    }
  }

  /**
   * A partition's stored state, checked: its checksum, and its next offset against the last
   * stored batch (or, with none, against its log start). A state that fails either would hand
   * out offsets that exist already or skip some, so the log does not open; `trib doctor --repair`
   * rebuilds it from the batches.
   */
  async #loadPartitionState(topic: string, topicId: number, partition: number) {
    const bytes = await this.#store.get(partitionStateKey(topicId, partition));
    const state = bytes === undefined ? EMPTY_PARTITION : decodePartitionState(bytes);
    const context = { topic, partition };
    if (state === undefined) {
      throw new TributaryError(
        'CORRUPT_MESSAGE',
        `The stored state of ${topic}-${partition} is damaged (checksum); run "trib doctor --repair"`,
        context,
      );
    }
    // A stored state that says the partition is empty is trusted (its checksum holds): seeking into
    // an empty range costs a read of the neighbouring entry, 10,000 partitions took minutes
    // beside one 32 MiB batch.
    if (bytes !== undefined && state.nextOffset === state.logStartOffset) return { state, empty: true };
    const last = await this.#first({ ...partitionRange(KIND_BATCH, topicId, partition), reverse: true });
    const end =
      last === undefined
        ? state.logStartOffset
        : this.#header(last[1], topic, partition, batchKeyOffset(last[0])).lastOffset + 1;
    // A repaired partition may end in a hole (`trib doctor` keeps offsets it lost unused): one
    // below where readers skip holes is not damage.
    const tailHole = end < state.nextOffset && state.nextOffset <= Math.max(state.cleanedUpTo, state.logStartOffset);
    if ((end !== state.nextOffset && !tailHole) || state.logStartOffset > state.nextOffset) {
      throw new TributaryError(
        'CORRUPT_MESSAGE',
        `The stored state of ${topic}-${partition} says its next offset is ${state.nextOffset} (log start ${state.logStartOffset}), ` +
          `but its stored batches end at ${end}; run "trib doctor --repair"`,
        { ...context, offset: end, nextOffset: state.nextOffset },
      );
    }
    return { state, empty: false };
  }

  async #loadProducers(): Promise<void> {
    const partitionOf = (key: Uint8Array) => {
      const { topicId, partition, value } = parsePartitionKey(key);
      return { state: this.#topicsById.get(topicId)?.partitions[partition], value };
    };
    const idBytes = await this.#store.get(NEXT_PRODUCER_ID_KEY);
    if (idBytes !== undefined) this.#transactions.restoreNextProducerId(readU64(idBytes, 0));
    for (const [key, value] of await this.#all(kindRange(KIND_PRODUCER_STATE))) {
      const { state, value: producerId } = partitionOf(key);
      if (state === undefined) continue;
      const entry = decodeJson<ProducerEntry>(value);
      state.producersToWrite().set(producerId, entry);
      if (entry.txnFirstOffset >= 0) state.openTransactionsToWrite().set(producerId, entry.txnFirstOffset);
    }
    for (const [key, value] of await this.#all(kindRange(KIND_ABORTED_TXN))) {
      const { state, value: lastOffset } = partitionOf(key);
      if (state === undefined) continue;
      const { producerId, firstOffset } = decodeJson<Omit<AbortedTxn, 'lastOffset'>>(value);
      const spans = state.aborted.get(producerId) ?? [];
      spans.push({ producerId, firstOffset, lastOffset });
      state.abortedToWrite().set(producerId, spans);
    }
    for (const [key, value] of await this.#all(kindRange(KIND_TRANSACTIONAL_ID))) {
      const transactionalId = decoder.decode(key.subarray(1));
      this.#transactions.restoreTransactionalId(transactionalId, decodeJson<TransactionalProducer>(value));
    }
    for (const [key, value] of await this.#all(kindRange(KIND_OPEN_TXN))) {
      this.#transactions.restoreOpenTxn(readU64(key, 1), decodeJson<OpenTxn>(value));
    }
  }

  /**
   * Resolves once the store holds every write queued so far. Journaled writes are visible before
   * LevelDB has them; anything that reads the store waits for them first (tail reads are served
   * from memory and do not).
   */
  #applied(): Promise<void> | undefined {
    // After a store failure nothing more will be applied: reads see what the store has.
    return this.#queue.unapplied && this.#queue.failure === undefined ? this.#queue.flush() : undefined;
  }

  async #all(range: Parameters<KvStore['iterator']>[0]): Promise<[Uint8Array, Uint8Array][]> {
    await this.#applied();
    const it = this.#store.iterator(range);
    const out: [Uint8Array, Uint8Array][] = [];
    try {
      for (;;) {
        const entries = await it.nextv(1000);
        if (entries.length === 0) return out;
        for (const e of entries) out.push(e);
      }
    } finally {
      await it.close();
    }
  }

  /** `applied`: what to wait for before reading (by default, every write queued so far). */
  async #first(
    range: Parameters<KvStore['iterator']>[0],
    applied = this.#applied(),
  ): Promise<[Uint8Array, Uint8Array] | undefined> {
    await applied;
    const it = this.#store.iterator({ ...range, limit: 1 });
    try {
      const [entry] = await it.nextv(1);
      return entry;
    } finally {
      await it.close();
    }
  }

  protected _checkOpen(): void {
    if (!this.#open) throw new TributaryError('LOG_CLOSED', 'The log is closed');
  }

  /**
   * Writes stop after a storage failure (offsets were handed out for writes that did not land);
   * reads go on, of what the store and the in-memory tail hold.
   */
  protected _checkWritable(): void {
    this._checkOpen();
    const failure = this.#queue.failure;
    if (failure !== undefined) {
      const reason = failure instanceof Error ? `: ${failure.message}` : '';
      throw new TributaryError(
        'STORAGE_ERROR',
        `The log stopped taking writes after a storage failure${reason}; reads go on, reopen it to write`,
        {
          cause: failure,
        },
      );
    }
  }

  protected _topic(name: string): TopicState {
    this._checkOpen();
    if (typeof name !== 'string') throw new TypeError(`topic must be a string, got ${typeof name}`);
    const topic = this.#topics.get(name);
    if (topic === undefined) {
      throw new UnknownTopicOrPartitionError(`Topic "${name}" does not exist`, { topic: name });
    }
    return topic;
  }

  protected _partition(topicName: string, partition: number): PartitionState {
    const topic = this._topic(topicName);
    const state = Number.isInteger(partition) ? topic.partitions[partition] : undefined;
    if (state === undefined) {
      throw new UnknownTopicOrPartitionError(
        `Topic "${topicName}" has no partition ${String(partition)} (it has ${topic.partitions.length})`,
        { topic: topicName, partition },
      );
    }
    return state;
  }

  /**
   * Bytes of newest batches each partition keeps in memory for readers at the tail: 1 MiB, less
   * when there are many partitions, so that all of them together stay near 64 MiB.
   */
  #tailCapBytes(): number {
    return Math.max(
      64 * 1024,
      Math.min(1024 * 1024, Math.floor((64 * 1024 * 1024) / Math.max(1, this.#partitionTotal))),
    );
  }

  // ---------------------------------------------------------------- topics

  protected async _createTopic(spec: CheckedTopicSpec): Promise<TopicDescription> {
    const { topic: name, numPartitions } = spec;
    this.#checkPartitionLimits(name, numPartitions, numPartitions);
    const overrides = parseTopicConfigs(spec.configs as Record<string, unknown> | undefined);
    if (this.#topics.has(name)) {
      throw new TributaryError('TOPIC_ALREADY_EXISTS', `Topic "${name}" already exists`, { topic: name });
    }
    const topicId = this.#nextTopicId++;
    const topic: TopicState = {
      name,
      topicId,
      overrides,
      config: effectiveConfig(overrides, this.topicDefaults),
      partitions: [],
      deleted: false,
    };
    const ops: KvOp[] = [{ type: 'put', key: topicKey(name), value: this.#encodeTopic(topic, numPartitions) }];
    topic.partitions.push(...(await emptyPartitions(topic, 0, numPartitions, ops)));
    // Checked again after the slices: the log may have closed or failed, or another create of
    // this name (or one that uses up the partition limit) may have run meanwhile.
    this._checkWritable();
    if (this.#topics.has(name)) {
      throw new TributaryError('TOPIC_ALREADY_EXISTS', `Topic "${name}" already exists`, { topic: name });
    }
    this.#checkPartitionLimits(name, numPartitions, numPartitions);
    // The counter as it is now: a create that took its id later may have enqueued first.
    ops.push({ type: 'put', key: NEXT_TOPIC_ID_KEY, value: encodeU64(this.#nextTopicId) });
    // Visible at once (no await since the check) so that two concurrent creates of one name cannot both succeed.
    this.#topics.set(name, topic);
    this.#topicsById.set(topicId, topic);
    this.#partitionTotal += numPartitions;
    try {
      await this.#queue.enqueue(ops, true);
    } catch (err) {
      this.#topics.delete(name);
      this.#topicsById.delete(topicId);
      this.#partitionTotal -= topic.partitions.length;
      throw err;
    }
    return this.#describe(topic);
  }

  #encodeTopic(topic: TopicState, numPartitions: number): Uint8Array {
    const stored: StoredTopic = { name: topic.name, topicId: topic.topicId, numPartitions, overrides: topic.overrides };
    return encoder.encode(JSON.stringify(stored));
  }

  protected async _deleteTopic(topic: TopicState): Promise<void> {
    const { name } = topic;
    topic.deleted = true;
    this.#topics.delete(name);
    this.#topicsById.delete(topic.topicId);
    this.#partitionTotal -= topic.partitions.length;
    for (const p of topic.partitions) p.wakeAll();
    await this.#queue.enqueue(
      [
        { type: 'del', key: topicKey(name) },
        { type: 'put', key: deletedTopicKey(topic.topicId), value: new Uint8Array(0) },
      ],
      true,
    );
    // Maintenance of its partitions may be running; clearing after it cannot be undone by it.
    await Promise.all(topic.partitions.map((p) => p.exclusive(async () => undefined)));
    await this.#queue.flush();
    await this.#clearTopicData(topic.topicId);
    await this.#queue.enqueue([{ type: 'del', key: deletedTopicKey(topic.topicId) }], false);
  }

  async #clearTopicData(topicId: number): Promise<void> {
    await this.#applied();
    for (const kind of [
      KIND_BATCH,
      KIND_TIME_INDEX,
      KIND_PARTITION_STATE,
      KIND_PRODUCER_STATE,
      KIND_ABORTED_TXN,
      KIND_WRITE_TIME,
    ]) {
      await this.#store.clear(topicRange(kind, topicId));
    }
  }

  protected async _listTopics(): Promise<string[]> {
    return [...this.#topics.keys()].sort();
  }

  protected _describeTopic(topic: TopicState): TopicDescription {
    return this.#describe(topic);
  }

  #describe(topic: TopicState): TopicDescription {
    return {
      name: topic.name,
      topicId: topic.topicId,
      configs: { ...topic.config },
      overrides: { ...topic.overrides },
      partitions: topic.partitions.map((p) => ({
        partition: p.partition,
        logStartOffset: p.logStartOffset,
        highWatermark: p.highWatermark,
        sizeBytes: p.sizeBytes,
      })),
    };
  }

  protected async _createPartitions(topic: TopicState, count: number): Promise<TopicDescription> {
    const { name } = topic;
    const current = topic.partitions.length;
    if (!Number.isSafeInteger(count) || count <= current) {
      throw new TributaryError(
        'INVALID_PARTITIONS',
        count === current
          ? `Topic "${name}" already has ${current} partitions`
          : `Topic "${name}" has ${current} partitions; the new count must be a larger integer, got ${String(count)}`,
        { topic: name, partitions: current },
      );
    }
    this.#checkPartitionLimits(name, count, count - current);
    const ops: KvOp[] = [{ type: 'put', key: topicKey(name), value: this.#encodeTopic(topic, count) }];
    const added = await emptyPartitions(topic, current, count, ops);
    // Another call may have added partitions (or deleted the topic) while these were made: start over.
    if (topic.partitions.length !== current || topic.deleted) return this.createPartitions(name, count);
    this._checkWritable();
    this.#checkPartitionLimits(name, count, count - current);
    // Visible at once, as a new topic is, so that a concurrent call sees the new count.
    topic.partitions.push(...added);
    this.#partitionTotal += added.length;
    try {
      await this.#queue.enqueue(ops, true);
    } catch (err) {
      topic.partitions.length = current;
      this.#partitionTotal -= added.length;
      throw err;
    }
    return this.#describe(topic);
  }

  /** Refuses a topic of `count` partitions, `added` of them new, past the per-topic or per-log limit. */
  #checkPartitionLimits(topic: string, count: number, added: number): void {
    if (count > this.#maxPartitionsPerTopic) {
      throw new TributaryError(
        'INVALID_PARTITIONS',
        `Topic "${topic}" cannot have ${count} partitions: the limit per topic is ${this.#maxPartitionsPerTopic} (maxPartitionsPerTopic)`,
        { topic, partitions: count, limit: this.#maxPartitionsPerTopic },
      );
    }
    if (this.#partitionTotal + added > this.#maxPartitions) {
      throw new TributaryError(
        'INVALID_PARTITIONS',
        `Adding ${added} partitions for topic "${topic}" would make ${this.#partitionTotal + added}; the limit for the log is ${this.#maxPartitions} (maxPartitions)`,
        { topic, partitions: count, limit: this.#maxPartitions },
      );
    }
  }

  protected _partitionCount(topic: TopicState): number {
    return topic.partitions.length;
  }

  protected async _alterConfigs(topic: TopicState, changes: Record<string, unknown>): Promise<TopicDescription> {
    const { name } = topic;
    const removals = Object.entries(changes)
      .filter(([, v]) => v === null)
      .map(([k]) => k);
    const sets = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== null));
    // Validate everything (removals of unknown names included) before changing anything.
    const parsed = parseTopicConfigs(sets);
    parseTopicConfigs(Object.fromEntries(removals.map((k) => [k, undefined])));
    for (const k of removals) {
      if (!(k in effectiveConfig({}))) parseTopicConfigs({ [k]: '' });
    }
    const overrides: Partial<TopicConfig> = { ...topic.overrides, ...parsed };
    for (const k of removals) delete (overrides as Record<string, unknown>)[k];
    const previous = { overrides: topic.overrides, config: topic.config };
    topic.overrides = overrides;
    topic.config = effectiveConfig(overrides, this.topicDefaults);
    try {
      await this.#queue.enqueue(
        [{ type: 'put', key: topicKey(name), value: this.#encodeTopic(topic, topic.partitions.length) }],
        true,
      );
    } catch (err) {
      topic.overrides = previous.overrides;
      topic.config = previous.config;
      throw err;
    }
    return this.#describe(topic);
  }

  // ---------------------------------------------------------------- writes

  protected async _write(appends: PartitionAppend[], options: WriteOptions): Promise<AppendResult[]> {
    const now = this.clock.now();
    // A partition may come more than once (a big commit split to fit max.message.bytes): its
    // batches land in order, contiguous. Not with producer stamps: each sequence check would see
    // the producer's state before this write.
    if (appends.length > 1 && appends.some((a) => a?.producer !== undefined && a.producer.producerId >= 0)) {
      const names = new Set(appends.map((a) => `${a.topic}\u0000${a.partition}`));
      if (names.size !== appends.length) {
        throw new TributaryError(
          'INVALID_REQUEST',
          'A write with a producer id names a partition twice; merge its records',
        );
      }
    }
    // Encode and check everything first: a bad record anywhere appends nothing anywhere. Many
    // appends (a group commit of 10,000 partitions) are encoded in slices; not with producer
    // stamps, whose sequence and transaction checks must see no other write in between.
    const slice = appends.some((a) => a?.producer !== undefined) ? undefined : new TimeSlice();
    let paused = false;
    const prepared: Prepared[] = [];
    for (const append of appends) {
      if (slice?.due) {
        await slice.pause();
        paused = true;
      }
      prepared.push(this.#prepare(append, now, true));
    }
    // Large records are copied into their batches in slices; a producer's sequence is checked
    // again after them, since other writes ran meanwhile.
    for (let i = 0; i < prepared.length; i++) {
      const p = prepared[i]!;
      if (p.finish === undefined) continue;
      await p.finish();
      paused = true;
      if (p.producer !== undefined) {
        this.#checkTransactional(p.state, appends[i]!);
        p.check = checkSequence(p.state, p.producer, p.count);
      }
    }
    if (paused) {
      // The log may have closed, or a topic been deleted (and made again) during the slices.
      this._checkWritable();
      for (const { state } of prepared) {
        if (this.#topics.get(state.topic.name) !== state.topic) {
          throw new UnknownTopicOrPartitionError(
            `Topic "${state.topic.name}" was deleted while this write was prepared`,
            {
              topic: state.topic.name,
              partition: state.partition,
            },
          );
        }
      }
    }
    return this.#commit(prepared, now, options);
  }

  /**
   * Internal (the broker's Produce): appends one RecordBatch v2 as a client encoded it. The bytes
   * are stored as sent, compression and CRC included; only the base offset is patched, which lies
   * outside the CRC. Checked first, as Kafka checks a produced batch: magic 2, a CRC that matches,
   * not a control batch, a record count that agrees with the offset deltas, every record readable,
   * keys on a compacted topic, `max.message.bytes`, and the producer's epoch and sequence. A batch
   * refused for any of these appends nothing. When the topic's `compression.type` names a codec
   * other than the batch's, the records are recompressed, as Kafka does.
   */
  async appendRecordBatch(
    topic: string,
    partition: number,
    batch: Uint8Array,
    options: WriteOptions & { handOver?: boolean } = {},
  ): Promise<AppendResult> {
    this._checkOpen();
    const now = this.clock.now();
    const prepared = this.#prepareRaw(topic, partition, batch, now, options.handOver === true);
    const [result] = await this.#commit([prepared], now, options);
    return result!;
  }

  /** `handOver`: the caller gives `batch` to the log, which stores it without a copy. */
  #prepareRaw(topic: string, partition: number, batch: Uint8Array, now: number, handOver = false): Prepared {
    const state = this._partition(topic, partition);
    const context = { topic: state.topic.name, partition: state.partition };
    // Verifies the CRC and that every record parses (decompressing if need be), in one pass that
    // builds no records: the bytes are stored as they came.
    const scanned = scanRecordBatch(batch, { context });
    if (scanned.sizeInBytes !== batch.length) {
      throw new TributaryError(
        'CORRUPT_MESSAGE',
        `A produced record set holds ${batch.length} bytes; its batch has ${scanned.sizeInBytes}`,
        context,
      );
    }
    if (scanned.isControl)
      throw new TributaryError('INVALID_RECORD', 'A client cannot produce a control batch', context);
    // Only the log stamps LogAppendTime (Kafka's LogValidator refuses it from a producer).
    if (scanned.timestampType === 'LogAppendTime') {
      throw new TributaryError(
        'INVALID_TIMESTAMP',
        'A produced batch is marked LogAppendTime; a producer sends CreateTime and the topic decides',
        context,
      );
    }
    const count = scanned.recordCount;
    if (count === 0 || scanned.lastOffsetDelta !== count - 1) {
      throw new TributaryError(
        'INVALID_RECORD',
        `A batch of ${count} record(s) says lastOffsetDelta ${scanned.lastOffsetDelta}`,
        context,
      );
    }
    if (scanned.firstOffsetGap >= 0) {
      const i = scanned.firstOffsetGap;
      const delta = decodeRecordBatch(batch, { context }).records[i]!.offset - scanned.baseOffset;
      throw new TributaryError('INVALID_RECORD', `Record ${i} of a produced batch has offset delta ${delta}`, context);
    }
    const config = state.topic.config;
    const producer: ProducerStamp | undefined =
      scanned.producerId >= 0
        ? {
            producerId: scanned.producerId,
            producerEpoch: scanned.producerEpoch,
            baseSequence: scanned.baseSequence,
            isTransactional: scanned.isTransactional,
          }
        : scanned.isTransactional
          ? { producerId: -1, producerEpoch: -1, baseSequence: -1, isTransactional: true }
          : undefined;
    const wanted = config['compression.type'];
    if (wanted !== 'producer' && (wanted === 'uncompressed' ? 'none' : wanted) !== scanned.compression) {
      const records = decodeRecordBatch(batch, { context }).records.map((r) => ({
        key: r.key,
        value: r.value,
        headers: r.headers as LogHeader[],
        timestamp: r.timestamp,
      }));
      return this.#prepare({ topic, partition, records, producer }, now);
    }
    if (isCompacted(config) && scanned.hasNullKey) {
      throw nullKeyRefusal(context);
    }
    if (hasTimestampBounds(config)) {
      const records = decodeRecordBatch(batch, { context }).records;
      checkTimestamps(
        config,
        now,
        records.map((r) => r.timestamp),
        context,
      );
    }
    if (batch.length > config['max.message.bytes']) {
      throw new TributaryError(
        'MESSAGE_TOO_LARGE',
        `A batch of ${count} record(s) is ${batch.length} bytes; topic "${state.topic.name}" takes at most ${config['max.message.bytes']} (max.message.bytes)`,
        { ...context, size: batch.length, limit: config['max.message.bytes'] },
      );
    }
    this.#checkTransactional(state, { topic, partition, records: [], producer });
    const check = checkSequence(state, producer, count);
    // A copy unless handed over: the caller may reuse its buffer, and the base offset is written into it.
    const bytes = check.kind === 'duplicate' ? undefined : handOver ? batch : copyBatch(batch);
    if (bytes !== undefined && stampsAppendTime(config)) {
      // Stamped in place, as Kafka does without recompressing: the header's type and max timestamp, and the CRC.
      setLogAppendTime(bytes, now);
      return { state, bytes, count, maxTimestamp: now, check, producer };
    }
    return { state, bytes, count, maxTimestamp: scanned.maxTimestamp, check, producer };
  }

  /**
   * Internal (the broker's Fetch): the id of a topic, or undefined when there is none, without
   * building its description (a copy of every config) as describeTopic does, on every fetch.
   */
  topicIdOf(topic: string): number | undefined {
    return this.#topics.get(topic)?.topicId;
  }

  /** Internal (the broker's Fetch v13+ and Metadata by id): the name of the topic with this id, or undefined. */
  topicNameOfId(topicId: number): string | undefined {
    const topic = this.#topicsById.get(topicId);
    return topic === undefined || topic.deleted ? undefined : topic.name;
  }

  /**
   * Internal (the broker's Fetch): the aborted transactions of a partition whose records a
   * read_committed reader of `[from, to]` must skip, as Kafka's Fetch response lists them.
   */
  abortedTransactions(
    topic: string,
    partition: number,
    from: number,
    to: number,
  ): { producerId: number; firstOffset: number }[] {
    const state = this._partition(topic, partition);
    const out: { producerId: number; firstOffset: number }[] = [];
    for (const spans of state.aborted.values()) {
      for (const span of spans) {
        if (span.lastOffset >= from && span.firstOffset <= to)
          out.push({ producerId: span.producerId, firstOffset: span.firstOffset });
      }
    }
    return out.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /**
   * Internal (the broker's DescribeProducers): the idempotent and transactional producers that
   * wrote to a partition, with their epoch, last sequence and open transaction's first offset.
   */
  producerStates(
    topic: string,
    partition: number,
  ): { producerId: number; producerEpoch: number; lastSequence: number; currentTxnStartOffset: number }[] {
    const state = this._partition(topic, partition);
    return [...state.producers].map(([producerId, entry]) => ({
      producerId,
      producerEpoch: entry.epoch,
      lastSequence: entry.batches.at(-1)?.lastSequence ?? -1,
      currentTxnStartOffset: entry.txnFirstOffset,
    }));
  }

  async #commit(prepared: Prepared[], now: number, options: WriteOptions): Promise<AppendResult[]> {
    // From here to the enqueue nothing awaits, so offsets are handed out in queue order.
    const ops: KvOp[] = [];
    const results: AppendResult[] = [];
    const advanced: [PartitionState, RawBatch][] = [];
    for (const { state, bytes, count, maxTimestamp, check, producer } of prepared) {
      const { topicId } = state.topic;
      if (check.kind === 'duplicate') {
        // A retry of a batch already appended: its offsets, and nothing appended again.
        const { baseOffset, lastOffset } = check.batch;
        results.push({
          topic: state.topic.name,
          partition: state.partition,
          baseOffset,
          lastOffset,
          // Its append time was not kept (the producer state keeps offsets): none is told.
          logAppendTime: -1,
        });
        continue;
      }
      const baseOffset = state.nextOffset;
      const lastOffset = baseOffset + count - 1;
      setBaseOffset(bytes!, baseOffset);
      advanced.push([state, { baseOffset, lastOffset, bytes: bytes! }]);
      state.nextOffset = lastOffset + 1;
      state.batchBytesHint = bytes!.length;
      state.sizeBytes += bytes!.length;
      state.dirtyBytes += bytes!.length;
      ops.push({ type: 'put', key: batchKey(topicId, state.partition, baseOffset), value: bytes! });
      // Records without a timestamp are retained by when they were written, as Kafka does.
      if (maxTimestamp < 0)
        ops.push({ type: 'put', key: writeTimeKey(topicId, state.partition, baseOffset), value: encodeU64(now) });
      if (maxTimestamp > state.maxTimestamp) {
        state.maxTimestamp = maxTimestamp;
        ops.push({
          type: 'put',
          key: timeIndexKey(topicId, state.partition, maxTimestamp),
          value: encodeU64(baseOffset),
        });
      }
      if (check.kind === 'append' && producer !== undefined) {
        const entry = rememberBatch(state, producer, count, baseOffset, now);
        ops.push({
          type: 'put',
          key: producerStateKey(topicId, state.partition, producer.producerId),
          value: encodeJson(entry),
        });
        if (producer.isTransactional) {
          this.#transactions.joinTransaction(producer.producerId, topicId, state.partition, now, ops);
        }
      }
      results.push({
        topic: state.topic.name,
        partition: state.partition,
        baseOffset,
        lastOffset,
        logAppendTime: stampsAppendTime(state.topic.config) ? now : -1,
      });
    }
    // Partition state is written once per group commit, for every partition the group touched.
    const dirty = advanced.map(([state]) => state);
    // A small write without sync is done once it is in the journal; LevelDB gets it meanwhile.
    let journaled = false;
    if (options.sync !== true) {
      try {
        journaled = this.#queue.journal(ops, dirty);
      } catch (cause) {
        throw new TributaryError(
          'STORAGE_ERROR',
          `The journal could not be written (${describeStorageFailure(cause)}); the log stopped taking writes`,
          {
            cause,
          },
        );
      }
    }
    const written = journaled ? undefined : this.#queue.enqueue(ops, options.sync === true, dirty);
    const number = this.#queue.queued;
    for (const state of dirty) state.lastWrite = number;
    if (written !== undefined) await written;
    const cap = this.#tailCapBytes();
    for (const [state, batch] of advanced) {
      state.pushTail(batch, cap);
      state.advance(batch.lastOffset + 1);
    }
    return results;
  }

  /** Checks a producer stamp against the transactional state: fenced epochs, transactions not begun. */
  #checkTransactional(state: PartitionState, append: PartitionAppend): void {
    const producer = append.producer;
    if (producer === undefined || producer.producerId < 0) {
      if (append.producer?.isTransactional) {
        throw new TributaryError('INVALID_TXN_STATE', 'A transactional batch needs a producer id', {
          topic: state.topic.name,
          partition: state.partition,
        });
      }
      return;
    }
    const context = { topic: state.topic.name, partition: state.partition, producerId: producer.producerId };
    this.#transactions.checkProducer(producer, context);
    // Kafka's "expected transactional write": a plain batch would slip into the open transaction
    // and outlive its abort.
    if (!producer.isTransactional && (state.producers.get(producer.producerId)?.txnFirstOffset ?? -1) >= 0) {
      throw new TributaryError(
        'INVALID_TXN_STATE',
        `Producer ${producer.producerId} has an open transaction on ${state.topic.name}-${state.partition}; its writes there must be transactional until it ends`,
        context,
      );
    }
  }

  #prepare(append: PartitionAppend, now: number, inSlices = false): Prepared {
    if (append === null || typeof append !== 'object')
      throw new TypeError('each append is { topic, partition, records }');
    const state = this._partition(append.topic, append.partition);
    const context = { topic: state.topic.name, partition: state.partition };
    const config = state.topic.config;
    const compacted = isCompacted(config);
    // Records the writer encoded itself are stored as they are when nothing has to change them;
    // `records` is not even read then (a writer may make them only when asked).
    const encoded = append.encoded;
    if (encoded !== undefined && append.producer === undefined && encoded.count > 0) {
      const compression = config['compression.type'];
      const plain =
        compression === 'uncompressed' || (compression === 'producer' && (append.compression ?? 'none') === 'none');
      // A topic that bounds timestamps has them checked on the records below.
      if (plain && !(compacted && encoded.hasNullKey) && !hasTimestampBounds(config)) {
        if (encoded.bytes.length > config['max.message.bytes']) {
          throw new TributaryError(
            'MESSAGE_TOO_LARGE',
            `A batch of ${encoded.count} record(s) is ${encoded.bytes.length} bytes; topic "${state.topic.name}" takes at most ${config['max.message.bytes']} (max.message.bytes)`,
            { ...context, size: encoded.bytes.length, limit: config['max.message.bytes'] },
          );
        }
        const stamped = stampsAppendTime(config);
        if (stamped) setLogAppendTime(encoded.bytes, now);
        return {
          state,
          bytes: encoded.bytes,
          count: encoded.count,
          maxTimestamp: stamped ? now : encoded.maxTimestamp,
          check: { kind: 'none' },
          producer: undefined,
        };
      }
    }
    const { records } = append;
    if (!Array.isArray(records) || records.length === 0) {
      throw new TributaryError('INVALID_RECORD', 'An append needs at least one record', context);
    }
    // Records go to the encoder as they are (those without a timestamp get the append time from
    // it) unless they carry something else it would read: an `offsetDelta` is for compaction's
    // re-encoding only.
    let copy = false;
    let maxTimestamp = -1;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if ((r as { offsetDelta?: unknown }).offsetDelta !== undefined) copy = true;
      const timestamp = r.timestamp ?? now;
      if (!Number.isSafeInteger(timestamp) || timestamp < -1) {
        throw new TributaryError(
          'INVALID_RECORD',
          `Record ${i} has an invalid timestamp ${String(r.timestamp)}`,
          context,
        );
      }
      if (r.key !== null && !(r.key instanceof Uint8Array)) {
        throw new TributaryError('INVALID_RECORD', `Record ${i} has a key that is not bytes or null`, context);
      }
      if (r.value !== null && !(r.value instanceof Uint8Array)) {
        throw new TributaryError('INVALID_RECORD', `Record ${i} has a value that is not bytes or null`, context);
      }
      if (compacted && r.key === null) {
        throw nullKeyRefusal(context);
      }
      if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    }
    if (hasTimestampBounds(config)) {
      checkTimestamps(
        config,
        now,
        records.map((r) => r.timestamp ?? now),
        context,
      );
    }
    const inputs: readonly RecordInput[] = copy
      ? records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp ?? now, headers: r.headers }))
      : (records as readonly RecordInput[]);
    this.#checkTransactional(state, append);
    const check: SequenceCheck = checkSequence(state, append.producer, records.length);
    if (check.kind === 'duplicate') {
      return { state, bytes: undefined, count: records.length, maxTimestamp, check, producer: append.producer };
    }
    const compressionConfig = config['compression.type'];
    const compression =
      compressionConfig === 'producer'
        ? (append.compression ?? 'none')
        : compressionConfig === 'uncompressed'
          ? 'none'
          : compressionConfig;
    const producer = append.producer;
    const input: BatchInput = {
      baseOffset: 0,
      records: inputs,
      compression,
      producerId: producer?.producerId ?? -1,
      producerEpoch: producer?.producerEpoch ?? -1,
      baseSequence: producer?.baseSequence ?? -1,
      isTransactional: producer?.isTransactional ?? false,
      defaultTimestamp: now,
    };
    if (stampsAppendTime(config)) {
      input.timestampType = 'LogAppendTime';
      input.logAppendTime = now;
      maxTimestamp = now;
    }
    // Encoded at base offset 0; the real one is patched in when offsets are handed out (it lies
    // outside the CRC, so the batch is encoded once).
    const { bytes, finish } = inSlices
      ? encodeRecordBatchInSlices(input)
      : { bytes: encodeRecordBatch(input), finish: undefined };
    if (bytes.length > config['max.message.bytes']) {
      throw new TributaryError(
        'MESSAGE_TOO_LARGE',
        `A batch of ${records.length} record(s) is ${bytes.length} bytes; topic "${state.topic.name}" takes at most ${config['max.message.bytes']} (max.message.bytes)`,
        { ...context, size: bytes.length, limit: config['max.message.bytes'] },
      );
    }
    return { state, bytes, count: records.length, maxTimestamp, check, producer: append.producer, finish };
  }

  // ---------------------------------------------------------------- reads

  protected _offsets(state: PartitionState): Omit<PartitionOffsets, 'partition'> {
    return {
      logStartOffset: state.logStartOffset,
      highWatermark: state.highWatermark,
      lastStableOffset: state.lastStableOffset,
    };
  }

  protected async _readBatches(state: PartitionState, offset: number, options: ReadOptions): Promise<RawBatch[]> {
    const out: RawBatch[] = [];
    await this.#scan(state, offset, options, (batch) => {
      out.push(batch);
      return batch.lastOffset - Math.max(batch.baseOffset, offset) + 1;
    });
    return out;
  }

  /**
   * Visits the stored batches from the one holding `offset` up to the high watermark (or, for
   * read_committed, the last stable offset) until `maxBytes` or `maxRecords` is reached. `visit`
   * returns how many records the batch counted for. The next batches are fetched from the store
   * while `visit` works on the current ones.
   */
  async #scan(
    state: PartitionState,
    offset: number,
    options: ReadOptions,
    visit: (batch: RawBatch) => number,
  ): Promise<void> {
    const topic = state.topic.name;
    const { partition } = state;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
    const highWatermark = state.highWatermark;
    if (offset < state.logStartOffset || offset > highWatermark) {
      throw new OffsetOutOfRangeError(
        `Offset ${offset} is out of range for ${topic}-${partition}: the log holds [${state.logStartOffset}, ${highWatermark})`,
        { topic, partition, offset, logStartOffset: state.logStartOffset, highWatermark },
      );
    }
    // read_committed readers stop at the last stable offset; no batch straddles it, since the
    // oldest open transaction's first batch starts there.
    const bound = options.isolation === 'read_committed' ? state.lastStableOffset : highWatermark;
    if (offset >= bound) return;
    const tail = state.tailFrom(offset);
    if (tail !== undefined) {
      let bytes = 0;
      let records = 0;
      for (let i = tail.from; i < tail.batches.length; i++) {
        const batch = tail.batches[i]!;
        if (batch.baseOffset >= bound) return;
        records += visit(batch);
        bytes += batch.bytes.length;
        if (bytes >= maxBytes || records >= maxRecords) return;
      }
      return;
    }
    const { topicId } = state.topic;
    const startKey = batchKey(topicId, partition, offset);
    // The partition's own writes, not every write queued (a consumer's offset commits). Awaited
    // only when there are some: otherwise the store's read starts in this call, not once this
    // thread is next free (a consumer decodes a fetch right after asking for the next one).
    const flushing = this.#queue.flushFor(state.lastWrite);
    if (flushing !== undefined) await flushing;
    // One call to the store gathers up to the byte budget (LevelDB's own limit is 16 KiB: one
    // batch per call, each waiting for this thread, which starved reads made ahead of a decode).
    const it = this.#store.iterator({
      gte: startKey,
      lt: batchKey(topicId, partition, bound),
      highWaterMarkBytes: Math.min(maxBytes, MAX_GATHER_BYTES),
    });
    let bytes = 0;
    let records = 0;
    let batches = 0;
    // Offsets are contiguous where nothing was deleted on purpose: a batch that starts past the
    // one expected, or a store that ends before the bound, is lost data and never skipped.
    let expected = offset;
    const gapCheck = (to: number) => {
      if (to > expected && !state.mayLack(to)) {
        throw new TributaryError(
          'CORRUPT_MESSAGE',
          `Offsets ${expected} to ${to - 1} of ${topic}-${partition} are missing from the store, where neither retention nor compaction removed them; run "trib doctor"`,
          { topic, partition, offset: expected, range: [expected, to] },
        );
      }
    };
    let next: Promise<[Uint8Array, Uint8Array][]> | undefined;
    try {
      // As many batches as the byte budget has room for, by the size of the last one seen, so
      // that a reader going on where it stopped gets its read in one call to the store.
      const hint = state.batchBytesHint;
      let entries = await it.nextv(hint > 0 ? Math.max(1, Math.min(16, Math.ceil(maxBytes / hint))) : 2);
      // A reader that goes on where it stopped asks for a batch's base offset; otherwise the batch
      // holding `offset` starts below it, one key back.
      if (entries.length === 0 || batchKeyOffset(entries[0]![0]) !== offset) {
        const previous = await this.#first(
          { gte: batchKey(topicId, partition, 0), lt: startKey, reverse: true },
          this.#queue.flushFor(state.lastWrite),
        );
        if (previous !== undefined) {
          const header = this.#header(previous[1], topic, partition, batchKeyOffset(previous[0]));
          if (header.lastOffset >= offset) entries = [previous, ...entries];
        }
      }
      while (entries.length > 0) {
        // Ask for about as many batches as the byte budget has room for, before working on these.
        const average = batches === 0 ? entries[0]![1].length : bytes / batches;
        const room = maxBytes - bytes - entries.reduce((sum, [, v]) => sum + v.length, 0);
        next = room > 0 ? it.nextv(Math.max(1, Math.min(16, Math.ceil(room / Math.max(1, average))))) : undefined;
        for (const [key, value] of entries) {
          const header = this.#header(value, topic, partition, batchKeyOffset(key));
          gapCheck(header.baseOffset);
          expected = Math.max(expected, header.lastOffset + 1);
          records += visit({ baseOffset: header.baseOffset, lastOffset: header.lastOffset, bytes: value });
          bytes += value.length;
          batches++;
          state.batchBytesHint = value.length;
          if (bytes >= maxBytes || records >= maxRecords) return;
        }
        if (next === undefined) return;
        entries = await next;
        next = undefined;
      }
      gapCheck(bound);
    } finally {
      // The iterator serves one call at a time: a prefetch finishes before it is closed. Neither
      // is waited for: the records are read, and the reader's next read need not queue behind them.
      const close = () => it.close().catch(() => undefined);
      if (next !== undefined) void next.then(close, close);
      else void close();
    }
  }

  #header(bytes: Uint8Array, topic: string, partition: number, keyOffset: number) {
    const header = readBatchHeader(bytes, { topic, partition });
    if (header.baseOffset !== keyOffset) {
      throw new TributaryError(
        'CORRUPT_MESSAGE',
        `The batch stored at offset ${keyOffset} of ${topic}-${partition} says it starts at ${header.baseOffset}`,
        { topic, partition, offset: keyOffset },
      );
    }
    return header;
  }

  protected async _read(state: PartitionState, offset: number, options: ReadOptions): Promise<ReadResult> {
    const { name: topic } = state.topic;
    const { partition } = state;
    const committed = options.isolation === 'read_committed';
    const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
    const context = { topic, partition };
    const records: LogRecord[] = [];
    let nextOffset = offset;
    let visited = 0;
    // Taken in the same tick as the scan takes its own: a gap is skipped only up to what it saw.
    const bound = committed ? state.lastStableOffset : state.highWatermark;
    await this.#scan(state, offset, options, (batch) => {
      visited++;
      const decoded = decodeRecordBatch(batch.bytes, { context });
      nextOffset = batch.lastOffset + 1;
      if (
        decoded.isControl ||
        (committed && decoded.isTransactional && isAborted(state, decoded.producerId, decoded.baseOffset))
      ) {
        return 0;
      }
      let counted = 0;
      for (const r of decoded.records) {
        if (r.offset < offset) continue;
        records.push(r);
        counted++;
        if (records.length >= maxRecords) {
          nextOffset = r.offset + 1;
          break;
        }
      }
      return counted;
    });
    // Nothing stored between `offset` and the bound (compacted or retained away): skip the gap.
    if (visited === 0 && offset < bound) nextOffset = bound;
    return { records, nextOffset, highWatermark: state.highWatermark, logStartOffset: state.logStartOffset };
  }

  protected async _offsetForTimestamp(state: PartitionState, timestamp: number): Promise<number | null> {
    const { name: topic } = state.topic;
    const { partition } = state;
    // Kafka's ListOffsets sentinels.
    if (timestamp === LATEST_TIMESTAMP) return state.highWatermark;
    if (timestamp === EARLIEST_TIMESTAMP) return state.logStartOffset;
    if (timestamp === MAX_TIMESTAMP) return this.#offsetOfMaxTimestamp(state);
    if (timestamp < 0) {
      throw new TributaryError(
        'INVALID_REQUEST',
        `timestamp must be ≥ 0 or one of -1 (latest), -2 (earliest), -3 (max timestamp); got ${timestamp}`,
        {
          topic,
          partition,
        },
      );
    }
    const { topicId } = state.topic;
    const entry = await this.#first({
      gte: timeIndexKey(topicId, partition, Math.max(0, Math.ceil(timestamp))),
      lt: partitionRange(KIND_TIME_INDEX, topicId, partition).lt,
    });
    if (entry === undefined) return null;
    let offset = Math.max(readU64(entry[1], 0), state.logStartOffset);
    while (offset < state.highWatermark) {
      const result = await this.read(topic, partition, offset);
      for (const r of result.records) if (r.timestamp >= timestamp) return r.offset;
      if (result.nextOffset <= offset) break;
      offset = result.nextOffset;
    }
    return null;
  }

  /**
   * The first offset holding the partition's largest timestamp (Kafka's MAX_TIMESTAMP), or null
   * for a partition without timestamped records. The time index's last entry points at the first
   * batch reaching it; when retention or deleteRecords took that batch, the rest is scanned.
   */
  async #offsetOfMaxTimestamp(state: PartitionState): Promise<number | null> {
    const { topicId, name: topic } = state.topic;
    const { partition } = state;
    const last = await this.#first({ ...partitionRange(KIND_TIME_INDEX, topicId, partition), reverse: true });
    const indexed =
      last === undefined ? undefined : { timestamp: timeIndexKeyTimestamp(last[0]), from: readU64(last[1], 0) };
    let best: { timestamp: number; offset: number } | undefined;
    let offset = indexed === undefined || indexed.from < state.logStartOffset ? state.logStartOffset : indexed.from;
    while (offset < state.highWatermark) {
      const result = await this.read(topic, partition, offset);
      for (const r of result.records) {
        if (indexed !== undefined && r.timestamp === indexed.timestamp) return r.offset;
        if (r.timestamp >= 0 && (best === undefined || r.timestamp > best.timestamp))
          best = { timestamp: r.timestamp, offset: r.offset };
      }
      if (result.nextOffset <= offset) break;
      offset = result.nextOffset;
    }
    return best?.offset ?? null;
  }

  protected _waitForData(
    state: PartitionState,
    offset: number,
    signal: AbortSignal | WaitInterrupt | undefined,
    isolation: IsolationLevel,
  ): Promise<void> {
    return state.waitFor(offset, signal, isolation === 'read_committed');
  }

  // ---------------------------------------------------------------- producers and transactions

  protected _initProducerId(options: InitProducerOptions): Promise<ProducerIdentity> {
    return this.#transactions.initProducerId(options);
  }

  protected _endTransaction(options: EndTransactionOptions, writeOptions: WriteOptions): Promise<void> {
    return this.#transactions.endTransaction(options, writeOptions);
  }

  /**
   * The transaction coordinator's markers: COMMIT or ABORT on every partition named, into `ops`.
   * Returns what to do once they are on disk: only then may read_committed readers move past the
   * transaction.
   */
  #writeMarkers(
    producerId: number,
    epoch: number,
    partitions: readonly [topicId: number, partition: number][],
    commit: boolean,
    ops: KvOp[],
  ): (() => void)[] {
    const now = this.clock.now();
    const touched: (() => void)[] = [];
    for (const [topicId, partition] of partitions) {
      const state = this.#topicsById.get(topicId)?.partitions[partition];
      if (state === undefined) continue; // the topic was deleted meanwhile
      const entry = state.producers.get(producerId);
      const firstOffset = entry?.txnFirstOffset ?? state.nextOffset;
      const markerOffset = state.nextOffset;
      const bytes = encodeControlBatch({
        baseOffset: markerOffset,
        producerId,
        producerEpoch: epoch,
        marker: commit ? 'COMMIT' : 'ABORT',
        timestamp: now,
      });
      state.nextOffset = markerOffset + 1;
      state.sizeBytes += bytes.length;
      state.dirtyBytes += bytes.length;
      ops.push({ type: 'put', key: batchKey(topicId, partition, markerOffset), value: bytes });
      const marker: RawBatch = { baseOffset: markerOffset, lastOffset: markerOffset, bytes };
      if (entry !== undefined) {
        entry.txnFirstOffset = -1;
        ops.push({ type: 'put', key: producerStateKey(topicId, partition, producerId), value: encodeJson(entry) });
      }
      if (!commit) {
        ops.push({
          type: 'put',
          key: abortedTxnKey(topicId, partition, markerOffset),
          value: encodeJson({ producerId, firstOffset }),
        });
      }
      ops.push({ type: 'put', key: state.stateKey, value: encodePartitionState(state) });
      touched.push(() => {
        if (!commit) {
          const spans = state.aborted.get(producerId) ?? [];
          spans.push({ producerId, firstOffset, lastOffset: markerOffset });
          state.abortedToWrite().set(producerId, spans);
        }
        // The producer may have begun its next transaction here meanwhile; that one stays open.
        const next = state.producers.get(producerId)?.txnFirstOffset ?? -1;
        if (next >= 0) state.openTransactionsToWrite().set(producerId, next);
        else state.openTransactionsToWrite().delete(producerId);
        state.pushTail(marker, this.#tailCapBytes());
        state.advance(markerOffset + 1);
      });
    }
    return touched;
  }

  // ---------------------------------------------------------------- maintenance

  /** A store iterator, for retention and compaction; it sees every write queued before it. */
  #iterate(range: KvRange): KvIterator {
    const applied = this.#applied();
    if (applied === undefined) return this.#store.iterator(range);
    // LevelDB iterators read a snapshot taken when they are made: make it once the writes are in.
    let it: KvIterator | undefined;
    const open = async () => {
      await applied;
      it ??= this.#store.iterator(range);
      return it;
    };
    return {
      nextv: async (size) => (await open()).nextv(size),
      close: async () => {
        await applied.catch(() => undefined);
        await it?.close();
      },
    };
  }

  protected async _maintenance(): Promise<MaintenanceReport> {
    // One run at a time; a caller arriving mid-run waits for the next full run.
    while (this.#maintenanceRun !== undefined) await this.#maintenanceRun.catch(() => undefined);
    const run = this.#runMaintenance();
    this.#maintenanceRun = run;
    try {
      return await run;
    } finally {
      this.#maintenanceRun = undefined;
    }
  }

  async #runMaintenance(): Promise<MaintenanceReport> {
    const report: MaintenanceReport = {
      batchesDeleted: 0,
      bytesDeleted: 0,
      partitionsCompacted: 0,
      recordsRemovedByCompaction: 0,
      transactionsAborted: await this.#transactions.abortTimedOutTransactions(),
    };
    for (const topic of [...this.#topics.values()]) {
      for (const state of topic.partitions) {
        if (topic.deleted || this.#closing) return report;
        await state.exclusive(async () => {
          if (topic.deleted || this.#closing) return;
          const retained = await enforceRetention(this.#maintenance, state);
          report.batchesDeleted += retained.batchesDeleted;
          report.bytesDeleted += retained.bytesDeleted;
          const expired = expireProducers(state, this.clock.now(), this.#producerIdExpirationMs);
          if (expired.length > 0) await this.#queue.enqueue(expired, false);
          if (topic.deleted || this.#closing) return;
          const compacted = await compactPartition(this.#maintenance, state, false);
          if (compacted !== undefined) {
            report.partitionsCompacted++;
            report.recordsRemovedByCompaction += compacted.recordsRemoved;
          }
        });
      }
    }
    return report;
  }

  protected async _deleteRecords(state: PartitionState, beforeOffset: number): Promise<number> {
    const { name: topic } = state.topic;
    const { partition } = state;
    if (!hasDeletePolicy(state.topic.config)) {
      // As Kafka: a compact-only topic keeps the latest record per key; deleting a prefix would break that.
      throw new TributaryError(
        'POLICY_VIOLATION',
        `Cannot delete records of ${topic}-${partition}: the topic's cleanup.policy is compact (deleteRecords needs delete or compact,delete)`,
        { topic, partition },
      );
    }
    if (beforeOffset > state.highWatermark) {
      throw new OffsetOutOfRangeError(
        `Cannot delete records before ${beforeOffset} of ${topic}-${partition}: its high watermark is ${state.highWatermark}`,
        { topic, partition, offset: beforeOffset, highWatermark: state.highWatermark },
      );
    }
    await state.exclusive(() => deleteRecordsBefore(this.#maintenance, state, beforeOffset));
    return state.logStartOffset;
  }

  /** Compacts one partition now, whatever its dirty ratio. For tests, tools and benchmarks. */
  async compact(topic: string, partition: number): Promise<{ recordsRemoved: number; batchesRewritten: number }> {
    const state = this._partition(topic, partition);
    const result = await state.exclusive(() => compactPartition(this.#maintenance, state, true));
    return result ?? { recordsRemoved: 0, batchesRewritten: 0 };
  }

  #schedule(): void {
    if (this.#maintenanceIntervalMs <= 0 || this.#closing) return;
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#open || this.#closing) return;
      this.maintenance()
        .catch(() => undefined)
        .finally(() => this.#schedule());
    }, this.#maintenanceIntervalMs);
  }

  /** Resolves once every write queued so far is on the store. */
  flush(): Promise<void> {
    return this.#queue.flush();
  }

  protected async _close(): Promise<void> {
    if (!this.#open) return;
    this.#closing = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    await this.#maintenanceRun?.catch(() => undefined);
    const flushed = await this.#queue.flush().then(
      () => true,
      () => false,
    );
    this.#open = false;
    for (const topic of this.#topics.values()) for (const p of topic.partitions) p.wakeAll();
    // A journal whose frames are all in the store is deleted; after a store failure it stays for
    // the next open to apply.
    if (flushed) this.#queue.closeJournal();
    await this.#store.close();
  }
}
