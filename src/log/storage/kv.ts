/**
 * The sorted key-value store under the embedded log. Keys sort bytewise; writes are atomic
 * batches; range reads go through iterators. LevelDB is the real one, memory the one for tests
 * and the test driver: the engine above cannot tell them apart.
 */
export interface KvRange {
  gt?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
  limit?: number;
  /**
   * How many bytes one `nextv` may gather before it returns early (LevelDB's iterator stops at the
   * first entry past 16 KiB by default, so a read of 1 MiB batches took one call per batch). Stores
   * that read from memory ignore it.
   */
  highWaterMarkBytes?: number;
}

export type KvEntry = [key: Uint8Array, value: Uint8Array];

export type KvOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

export interface KvIterator {
  /** Up to `size` entries; an empty array at the end. */
  nextv(size: number): Promise<KvEntry[]>;
  close(): Promise<void>;
}

export interface KvStore {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Applies every op or none; with `sync`, the bytes are on disk before the promise resolves. */
  write(ops: KvOp[], sync: boolean): Promise<void>;
  iterator(range: KvRange): KvIterator;
  /** Deletes a range; not atomic with anything else. */
  clear(range: KvRange): Promise<void>;
}

/** Bytewise comparison, the order LevelDB keeps keys in. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}
