const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice;

/**
 * A key as bytes with a string identity for maps and ordering (Kafka's `Bytes`): the latin1 string
 * of the bytes compares as the unsigned bytes do, so sorted ids are sorted keys.
 */
export class Bytes {
  #bytes: Uint8Array | undefined;
  #id: string | undefined;
  /** @internal The entry a caching store holds for this key, so a hot key finds it without a lookup. */
  cached: object | undefined = undefined;

  constructor(bytes: Uint8Array, id?: string) {
    this.#bytes = bytes;
    this.#id = id;
  }

  get bytes(): Uint8Array {
    // Made from the id only when asked: an in-memory store's range hands out keys by id, and a
    // window store reads them by id (a join's lookups and expiry made a Buffer per key otherwise).
    if (this.#bytes === undefined) this.#bytes = bytesOfId(this.#id!);
    return this.#bytes;
  }

  get id(): string {
    // Node's latin1Slice reads any Uint8Array: no Buffer made per key (this runs for every store key).
    if (this.#id === undefined) this.#id = latin1Slice.call(this.#bytes, 0, this.#bytes!.length);
    return this.#id;
  }

  /**
   * The bytes, for a caller that copies them at once (a changelog record, encoded into its batch
   * as it is sent): made from the id when this key has no bytes yet, and then not kept. A store
   * holds its keys until they expire, and bytes kept on them outlived the young generation's
   * collections for nothing (a windowed count's changelog keys were 18% of what its scavenges
   * copied).
   */
  get passingBytes(): Uint8Array {
    return this.#bytes ?? bytesOfId(this.#id!);
  }

  static fromId(id: string): Bytes {
    const out = new Bytes(EMPTY, id);
    out.#bytes = undefined;
    return out;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * The bytes of an id (latin1): a short one is written char by char into a slice of Node's pool,
 * cheaper than Buffer.from's encoding call for the store keys every window write makes.
 */
function bytesOfId(id: string): Uint8Array {
  const n = id.length;
  if (n > 64) return Buffer.from(id, 'latin1');
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = id.charCodeAt(i);
  return out;
}

/** A bytes entry, as bytes stores hand them out. */
export interface BytesEntry {
  key: Bytes;
  value: Uint8Array;
}

/** The innermost store: bytes in, bytes out, ordered by key bytes. Every layer has this shape. */
export interface BytesStore {
  readonly name: string;
  readonly persistent: boolean;
  get(key: Bytes): Uint8Array | null;
  /** `null` deletes. */
  put(key: Bytes, value: Uint8Array | null): void;
  /** From and to inclusive; null means unbounded. Sorted by key bytes. */
  range(from: Bytes | null, to: Bytes | null): BytesEntry[];
  approximateNumEntries(): number;
  /**
   * Every key's id, in no particular order, for a store that lists them without sorting (a window
   * store's expiry scans them); without it, callers use `range(null, null)`. Putting or deleting
   * meanwhile is allowed, as in a `Map`'s iteration.
   */
  ids?(): Iterable<string>;
  /** Makes writes durable where the store has somewhere to put them. */
  flush(): void;
  close(): void | Promise<void>;
}

/**
 * A layer that hands every call to the store below it; a layer extends it and overrides what it
 * does differently (a change-logging layer, its `put`).
 */
export abstract class ForwardingBytesStore implements BytesStore {
  protected readonly inner: BytesStore;

  constructor(inner: BytesStore) {
    this.inner = inner;
  }

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  get(key: Bytes): Uint8Array | null {
    return this.inner.get(key);
  }

  put(key: Bytes, value: Uint8Array | null): void {
    this.inner.put(key, value);
  }

  range(from: Bytes | null, to: Bytes | null): BytesEntry[] {
    return this.inner.range(from, to);
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  flush(): void {
    this.inner.flush();
  }

  close(): void | Promise<void> {
    return this.inner.close();
  }
}

/**
 * A persistent bytes store: it keeps what commits wrote (written only after each commit reached
 * the log) and the changelog offset that covers, so a restart restores only the rest.
 */
export interface CheckpointedBytesStore extends BytesStore {
  /** The changelog offset the stored data covers up to (exclusive), if ever checkpointed. */
  readonly checkpoint: number | undefined;
  /** Resolves once the store has loaded what it kept. */
  readonly ready?: Promise<void>;
  /** Takes the writes made since the last call: what the commit being prepared covers. */
  takePending(): unknown[];
  /** Keeps a commit's writes (by default all not yet taken) and its checkpoint. */
  commit(changelogOffset: number, pending?: unknown[]): void | Promise<void>;
}

export function isCheckpointed(store: BytesStore): store is CheckpointedBytesStore {
  return typeof (store as Partial<CheckpointedBytesStore>).takePending === 'function';
}

/** Sorted merge helper: ascending by id. */
export function byId(a: BytesEntry, b: BytesEntry): number {
  return a.key.id < b.key.id ? -1 : a.key.id > b.key.id ? 1 : 0;
}
