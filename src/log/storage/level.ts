import { ClassicLevel } from 'classic-level';
import { TributaryError } from '../../errors.ts';
import type { KvEntry, KvIterator, KvOp, KvRange, KvStore } from './kv.ts';

type Db = ClassicLevel<Uint8Array, Uint8Array>;

/** The one place that imports LevelDB. */
export class LevelKvStore implements KvStore {
  readonly #location: string;
  readonly #db: Db;

  constructor(location: string) {
    this.#location = location;
    this.#db = new ClassicLevel<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' });
  }

  async open(): Promise<void> {
    try {
      await this.#db.open({ createIfMissing: true });
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

  write(ops: KvOp[], sync: boolean): Promise<void> {
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
