import { createRequire } from 'node:module';
import type { ClassicLevel } from 'classic-level';
import { TributaryError } from '../../errors.ts';
import type { KvEntry, KvIterator, KvOp, KvRange, KvStore } from './kv.ts';

type Db = ClassicLevel<Uint8Array, Uint8Array>;

/**
 * LevelDB's settings for a log: a 32 MiB memtable instead of 4 MiB. Appends arrive as large
 * values in key order; a bigger memtable means fewer, larger level-0 files and less compaction
 * competing with the writes (measured: about 1.8 → 2.2 M records/s on 8 partitions). It is native
 * memory, allocated as it fills, and at most two memtables exist at a time.
 */
export const LEVEL_OPTIONS = Object.freeze({ writeBufferSize: 32 * 1024 * 1024 });

/** abstract-level's implementation method for an array batch (see {@link LevelKvStore.write}). */
interface RawBatch {
  _batch(operations: KvOp[], options: { sync: boolean }): Promise<void>;
}

// Why required on first open rather than imported: loading LevelDB's native addon takes ~25 ms of
// `import 'tributary'`, which programs on `storage: 'memory'` or without a log never need.
let classicLevel: typeof ClassicLevel | undefined;

/** The one place that imports LevelDB. */
export class LevelKvStore implements KvStore {
  readonly #location: string;
  readonly #db: Db;

  constructor(location: string) {
    this.#location = location;
    classicLevel ??= (createRequire(import.meta.url)('classic-level') as { ClassicLevel: typeof ClassicLevel }).ClassicLevel;
    this.#db = new classicLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' });
  }

  async open(): Promise<void> {
    try {
      await this.#db.open({ createIfMissing: true, ...LEVEL_OPTIONS });
    } catch (cause) {
      const inner = (cause as { cause?: { code?: string } }).cause;
      if (inner?.code === 'LEVEL_LOCKED') {
        throw new TributaryError(
          'DATA_DIR_LOCKED',
          `The data directory ${this.#location} is in use by another process (or another open log in this one); ` +
            'only one may open it at a time',
          { cause, dataDir: this.#location },
        );
      }
      throw new TributaryError('STORAGE_ERROR', `Could not open the data directory ${this.#location}`, {
        cause,
        dataDir: this.#location,
      });
    }
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#db.get(key);
  }

  /**
   * Goes straight to classic-level's `_batch`, the method abstract-level's public `batch()` calls
   * once it has checked, copied and encoded every operation. The log's operations are already what
   * `_batch` takes (`type`, and `key` and `value` bytes), it uses no hooks, sublevels or write
   * events, and skipping that layer measured 30 µs less per write (send → eachMessage p50 106 →
   * 75 µs at a steady 50,000 records/s). `_batch` is abstract-level's contract with its
   * implementations, not a public call: it is taken only while the database is open (classic-level
   * finishes a write in flight before it closes), and everything else goes through `batch()`, which
   * reports a closed database as such.
   */
  write(ops: KvOp[], sync: boolean): Promise<void> {
    const db = this.#db as unknown as Partial<RawBatch> & { status: string };
    if (db.status === 'open' && typeof db._batch === 'function') return db._batch(ops, { sync });
    return this.#db.batch(ops, { sync });
  }

  iterator(range: KvRange): KvIterator {
    const it = this.#db.iterator(range);
    return {
      nextv: (size) => it.nextv(size) as Promise<KvEntry[]>,
      close: () => it.close(),
    };
  }

  clear(range: KvRange): Promise<void> {
    return this.#db.clear(range);
  }
}
