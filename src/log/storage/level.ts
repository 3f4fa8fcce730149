import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ClassicLevel } from 'classic-level';
import { TributaryError } from '../../errors.ts';
import { describeStorageFailure } from './failure.ts';
import { snappyDecompress } from '../../protocol/compression/snappy.ts';
import { checkLevelDbLogs, checkLevelDbTables } from './leveldb-files.ts';
import { TimeSlice } from '../../time-slice.ts';
import type { KvEntry, KvIterator, KvOp, KvRange, KvStore } from './kv.ts';

type Db = ClassicLevel<Uint8Array, Uint8Array>;

/**
 * LevelDB's settings for a log: a 32 MiB memtable instead of 4 MiB. Appends arrive as large
 * values in key order; a bigger memtable means fewer, larger level-0 files and less compaction
 * competing with the writes (measured: about 1.8 → 2.2 M records/s on 8 partitions). It is native
 * memory, allocated as it fills, and at most two memtables exist at a time.
 *
 * At most 74 open files (LevelDB's smallest setting; its default is 1,000), so that at most 64
 * tables are cached. LevelDB maps each cached table into memory, and every page of one that a
 * reader touched counts in the process's RSS until the table leaves the cache: with 1,000, a
 * broker whose consumers read 5 GB back from LevelDB grew by the tables they read (measured:
 * +240 MiB of mapped file pages and still rising at the end, against +130 MiB, the size of 64
 * tables, with 74).
 */
export const LEVEL_OPTIONS = Object.freeze({ writeBufferSize: 32 * 1024 * 1024, maxOpenFiles: 74 });

/**
 * Past this many operations one write goes through a chained batch filled in slices. Why: an array
 * batch is copied into LevelDB's batch by one native call, and the 10,001 operations of a
 * 10,000-partition topic's creation held the event loop for 23 ms (up to 60 ms on a loaded
 * machine). A chained batch takes one native call per operation, so the filling can yield; the
 * write itself stays one atomic LevelDB batch.
 */
export const LARGE_WRITE_OPS = 2048;

/** abstract-level's implementation method for an array batch (see {@link LevelKvStore.write}). */
interface RawBatch {
  _batch(operations: KvOp[], options: { sync: boolean }): Promise<void>;
}

// Why required on first open rather than imported: loading LevelDB's native addon takes ~25 ms of
// `import 'tributary'`, which programs on `storage: 'memory'` or without a log never need.
let classicLevel: typeof ClassicLevel | undefined;
function loadClassicLevel(): typeof ClassicLevel {
  classicLevel ??= (createRequire(import.meta.url)('classic-level') as { ClassicLevel: typeof ClassicLevel })
    .ClassicLevel;
  return classicLevel;
}

/**
 * Every failure of LevelDB becomes a {@link TributaryError} with LevelDB's error as its cause:
 * `CORRUPT_MESSAGE` for damaged files, `LOG_CLOSED` for a closed database, `STORAGE_ERROR` for
 * the rest (a full disk named as such). Callers never see LevelDB's own codes.
 */
export function wrapStorageError(err: unknown, location: string, what: string): TributaryError {
  if (err instanceof TributaryError) return err;
  const code = (err as { code?: string } | undefined)?.code;
  const context = { cause: err, dataDir: location };
  if (code === 'LEVEL_CORRUPTION') {
    return new TributaryError(
      'CORRUPT_MESSAGE',
      `LevelDB found damaged data while ${what} in ${location}: ${describeStorageFailure(err)}`,
      context,
    );
  }
  if (code === 'LEVEL_DATABASE_NOT_OPEN')
    return new TributaryError('LOG_CLOSED', `The store in ${location} is closed`, context);
  return new TributaryError(
    'STORAGE_ERROR',
    `LevelDB failed while ${what} in ${location}: ${describeStorageFailure(err)}`,
    context,
  );
}

/**
 * LevelDB's own repair (RepairDB): rebuilds CURRENT and the MANIFEST from the table and log files
 * it finds, keeping every intact entry. For `trib doctor --repair` on a closed directory.
 */
export async function repairLevelDb(location: string): Promise<void> {
  try {
    await loadClassicLevel().repair(location);
  } catch (err) {
    throw wrapStorageError(err, location, 'repairing');
  }
}

/** A table's index block, uncompressed; blocks are ~4 KiB, past 1 GiB is damage. */
const uncompressTableBlock = (block: Uint8Array) => snappyDecompress(block, 1 << 30);

/** How to open a LevelDB store. */
export interface LevelStoreOptions {
  /** Create the database when the directory has none. Default true; the log passes false unless the directory is empty. */
  createIfMissing?: boolean;
  /** Called once the store is closed (or failed to open): the log gives its data directory lock back here. */
  onClose?: () => void;
  /**
   * Check LevelDB's write-ahead logs and the block checksums of its tables before opening, and leave
   * a close marker on a clean close that the next open checks (see {@link CLOSE_MARKER_FILE}). The
   * log turns this on for its directory.
   */
  verify?: boolean;
}

/**
 * A clean close writes a random mark as LevelDB's last write and the same mark into this file; the
 * next open finds it in LevelDB or refuses. Why: a write-ahead log truncated or deleted after a
 * clean close loses its last writes without LevelDB noticing (it recovers what it finds), and the
 * close mark, being the very last write, is the first thing lost.
 */
export const CLOSE_MARKER_FILE = 'tributary.closed';
/** Outside every key kind the log uses. */
const CLOSE_MARKER_KEY = Uint8Array.of(0x7f, 0x63, 0x6c, 0x6f, 0x73, 0x65);

/** The one place that imports LevelDB. */
export class LevelKvStore implements KvStore {
  readonly #location: string;
  /**
   * Made in `open`, not in the constructor: abstract-level opens a database by itself on the next
   * tick unless told otherwise, and a store refused before that (a damaged write-ahead log) must
   * never have LevelDB open it behind the refusal, recovering what it can and holding its lock.
   */
  #db: Db = undefined as unknown as Db;
  readonly #createIfMissing: boolean;
  readonly #onClose: (() => void) | undefined;
  readonly #verify: boolean;
  #opened = false;
  readonly #wrap =
    (what: string) =>
    (err: unknown): never => {
      throw wrapStorageError(err, this.#location, what);
    };
  readonly #writeFailed = this.#wrap('writing');
  readonly #readFailed = this.#wrap('reading');

  constructor(location: string, options: LevelStoreOptions = {}) {
    this.#location = location;
    this.#createIfMissing = options.createIfMissing ?? true;
    this.#onClose = options.onClose;
    this.#verify = options.verify === true;
  }

  async open(): Promise<void> {
    let mark: string | undefined;
    try {
      if (this.#verify) {
        checkLevelDbLogs(this.#location);
        checkLevelDbTables(this.#location, uncompressTableBlock);
        mark = readMark(this.#location);
      }
      this.#db = new (loadClassicLevel())<Uint8Array, Uint8Array>(this.#location, {
        keyEncoding: 'view',
        valueEncoding: 'view',
      });
      await this.#db.open({ createIfMissing: this.#createIfMissing, ...LEVEL_OPTIONS });
    } catch (cause) {
      if (cause instanceof TributaryError) {
        this.#onClose?.();
        throw cause;
      }
      this.#onClose?.();
      const inner = (cause as { cause?: { code?: string } }).cause;
      if (inner?.code === 'LEVEL_LOCKED') {
        throw new TributaryError(
          'DATA_DIR_LOCKED',
          `The data directory ${this.#location} is in use by another process (or another open log in this one); ` +
            'only one may open it at a time',
          { cause, dataDir: this.#location },
        );
      }
      // LevelDB's reason (a missing MANIFEST, a damaged file, a full disk) is the useful part.
      const reason = describeStorageFailure((cause as { cause?: unknown }).cause ?? cause);
      throw new TributaryError('STORAGE_ERROR', `Could not open the data directory ${this.#location}: ${reason}`, {
        cause,
        dataDir: this.#location,
      });
    }
    if (mark !== undefined) {
      const stored = await this.#db.get(CLOSE_MARKER_KEY).catch(() => undefined);
      if (stored === undefined || Buffer.from(stored).toString('latin1') !== mark) {
        await this.#db.close().catch(() => undefined);
        this.#onClose?.();
        throw new TributaryError(
          'CORRUPT_MESSAGE',
          `LevelDB in ${this.#location} lost writes made before its last clean close (its write-ahead log was truncated, deleted or damaged). ` +
            'Run "trib doctor" (see docs/log.md)',
          { dataDir: this.#location, missing: 'close marker' },
        );
      }
      // From here a crash leaves no marker, and a crash is not damage.
      rmSync(join(this.#location, CLOSE_MARKER_FILE), { force: true });
    }
    this.#opened = true;
  }

  async close(): Promise<void> {
    try {
      if (this.#verify && this.#opened && this.#db.status === 'open') await this.#markClose();
      if (this.#db !== undefined) await this.#db.close().catch(this.#wrap('closing'));
    } finally {
      this.#opened = false;
      this.#onClose?.();
    }
  }

  /** The close marker: LevelDB's last write, then the file. A store that cannot write it (a full disk) closes without one. */
  async #markClose(): Promise<void> {
    const mark = randomBytes(12).toString('hex');
    try {
      await this.#db.batch([{ type: 'put', key: CLOSE_MARKER_KEY, value: Buffer.from(mark, 'latin1') }], {
        sync: true,
      });
      writeFileSync(join(this.#location, CLOSE_MARKER_FILE), mark);
    } catch {
      rmSync(join(this.#location, CLOSE_MARKER_FILE), { force: true });
    }
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#db.get(key).catch(this.#readFailed);
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
    if (ops.length > LARGE_WRITE_OPS) return this.#writeInSlices(ops, sync);
    const db = this.#db as unknown as Partial<RawBatch> & { status: string };
    if (db.status === 'open' && typeof db._batch === 'function')
      return db._batch(ops, { sync }).catch(this.#writeFailed);
    return this.#db.batch(ops, { sync }).catch(this.#writeFailed);
  }

  /**
   * A large write, atomic as any other: its operations go into a chained batch a slice of the
   * event loop at a time, then LevelDB writes the batch at once. Callers await each write before
   * the next (the write queue does), so the yields reorder nothing.
   */
  async #writeInSlices(ops: KvOp[], sync: boolean): Promise<void> {
    let batch: ReturnType<Db['batch']> | undefined;
    const slice = new TimeSlice();
    try {
      batch = this.#db.batch();
      for (const op of ops) {
        if (slice.due) await slice.pause();
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
      await batch.write({ sync });
    } catch (err) {
      await batch?.close().catch(() => undefined);
      return this.#writeFailed(err);
    }
  }

  iterator(range: KvRange): KvIterator {
    const it = this.#db.iterator(range);
    return {
      nextv: (size) => (it.nextv(size) as Promise<KvEntry[]>).catch(this.#readFailed),
      close: () => it.close().catch(this.#readFailed),
    };
  }

  clear(range: KvRange): Promise<void> {
    return this.#db.clear(range).catch(this.#writeFailed);
  }
}

function readMark(location: string): string | undefined {
  try {
    return readFileSync(join(location, CLOSE_MARKER_FILE), 'latin1').trim();
  } catch {
    return undefined;
  }
}
