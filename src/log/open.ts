import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { LogBackend } from './backend.ts';
import { EmbeddedLog } from './engine.ts';
import type { KvStore } from './storage/kv.ts';
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
}

/** The log's engine, with the maintenance and flush calls that tools and tests use. */
export type EmbeddedLogBackend = LogBackend & Pick<EmbeddedLog, 'compact' | 'flush' | 'appendRecordBatch' | 'abortedTransactions'>;

/**
 * Opens the embedded log. One process owns a data directory at a time; a second gets
 * `DATA_DIR_LOCKED`.
 *
 * @example
 * const log = await openLog({ dataDir: './.tributary' });
 * await log.createTopic({ topic: 'orders', numPartitions: 3 });
 * await log.close();
 */
export async function openLog(options: OpenLogOptions = {}): Promise<EmbeddedLogBackend> {
  const memory = options.storage === 'memory';
  const dataDir = options.dataDir ?? './.tributary';
  const store = memory ? new MemoryKvStore() : new LevelKvStore(dataDir);
  return EmbeddedLog.open(store, {
    clock: options.clock,
    maintenanceIntervalMs: options.maintenanceIntervalMs,
    compactionMapBytes: options.compactionMapBytes,
    // Inside LevelDB's directory, whose lock guards it too; LevelDB leaves names it did not make alone.
    journalDir: memory ? undefined : join(dataDir, 'journal'),
  });
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
