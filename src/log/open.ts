import { join, resolve } from 'node:path';
import type { Clock } from '../clock.ts';
import type { LogBackend } from './backend.ts';
import type { TopicConfigInput } from './config.ts';
import { checkEngineOptions, EmbeddedLog, type EngineOptions } from './engine.ts';
import type { KvStore } from './storage/kv.ts';
import { acquireDataDir, type DataDirLock } from './storage/data-dir.ts';
import { LevelKvStore } from './storage/level.ts';
import { MemoryKvStore } from './storage/memory.ts';

/** How to open a log. */
export interface OpenLogOptions {
  /** Where the LevelDB files live. Default `./.tributary`. Ignored with `storage: 'memory'`. */
  dataDir?: string;
  /** `leveldb` (default): durable on disk. `memory`: gone when the process ends; for tests. */
  storage?: 'leveldb' | 'memory';
  /** Time for retention, compaction and timestamps. Default: the wall clock. */
  clock?: Clock;
  /** How often retention and compaction run in the background, in clock ms. Default 15 000; 0 turns it off. */
  maintenanceIntervalMs?: number;
  /** Memory for one compaction's key map (Kafka's `log.cleaner.dedupe.buffer.size`). Default 128 MiB. */
  compactionMapBytes?: number;
  /** Kafka's `producer.id.expiration.ms`: idle producer state is forgotten after this. Default 1 day. */
  producerIdExpirationMs?: number;
  /** The most partitions a topic may have (`INVALID_PARTITIONS` past it). Default 50,000. */
  maxPartitionsPerTopic?: number;
  /** The most partitions of all topics together. Default 200,000. */
  maxPartitions?: number;
  /**
   * The configs of topics that do not set them, in place of Kafka's defaults, as a Kafka broker's
   * `log.*` settings are (`{ 'retention.ms': 86_400_000 }`). Not stored: a topic without an
   * override follows the defaults of each open. `INVALID_CONFIG` for a name or value a topic
   * config would be refused for.
   */
  topicDefaults?: TopicConfigInput;
}

/** The log's engine, with the maintenance and flush calls that tools and tests use. */
export type EmbeddedLogBackend = LogBackend &
  Pick<
    EmbeddedLog,
    'compact' | 'flush' | 'appendRecordBatch' | 'abortedTransactions' | 'producerStates' | 'dataDir' | 'topicDefaults'
  >;

/**
 * Opens the embedded log. One process owns a data directory at a time, and opens it once: a second
 * open, in this process or another, gets `DATA_DIR_LOCKED` naming the process that holds it. A
 * directory that holds files but no database (LevelDB's `CURRENT` lost) is refused with
 * `STORAGE_ERROR`, never opened as an empty log; `trib doctor` checks and repairs one.
 *
 * @example
 * const log = await openLog({ dataDir: './.tributary' });
 * await log.createTopic({ topic: 'orders', numPartitions: 3 });
 * await log.close();
 */
export async function openLog(options: OpenLogOptions = {}): Promise<EmbeddedLogBackend> {
  const memory = options.storage === 'memory';
  const dataDir = options.dataDir ?? './.tributary';
  const engineOptions: EngineOptions = {
    clock: options.clock,
    maintenanceIntervalMs: options.maintenanceIntervalMs,
    compactionMapBytes: options.compactionMapBytes,
    producerIdExpirationMs: options.producerIdExpirationMs,
    maxPartitionsPerTopic: options.maxPartitionsPerTopic,
    maxPartitions: options.maxPartitions,
    // Inside LevelDB's directory, whose lock guards it too; LevelDB leaves names it did not make alone.
    journalDir: memory ? undefined : join(dataDir, 'journal'),
    dataDir: memory ? undefined : resolve(dataDir),
    topicDefaults: options.topicDefaults,
  };
  // Before the directory is touched: LevelDB opens a store by itself unless told to.
  checkEngineOptions(engineOptions);
  let store: KvStore;
  let lock: DataDirLock | undefined;
  if (memory) store = new MemoryKvStore();
  else {
    // Before LevelDB sees the directory: a second open in this process is refused here (LevelDB's
    // own refusal would drop the process's lock), and a directory with files but no database is
    // an error, never a fresh log.
    const held = acquireDataDir(dataDir);
    lock = held;
    store = new LevelKvStore(dataDir, { createIfMissing: held.fresh, onClose: () => held.release(), verify: true });
  }
  try {
    return await EmbeddedLog.open(store, engineOptions);
  } catch (err) {
    // The store gave the directory back if it opened; if it never did, it is given back here.
    lock?.release();
    throw err;
  }
}

/**
 * A sorted, persistent key-value store on LevelDB (or memory), for layers that keep state beside
 * the log, such as stream tasks' state stores. Keys sort bytewise; writes are atomic batches.
 *
 * @example
 * const store = await openKvStore({ location: './.tributary-state/task-0_1' });
 * await store.write([{ type: 'put', key: k, value: v }], false);
 */
export async function openKvStore(options: { location: string } | { storage: 'memory' }): Promise<KvStore> {
  const store = 'location' in options ? new LevelKvStore(options.location) : new MemoryKvStore();
  await store.open();
  return store;
}
