import { TributaryError } from '../../errors.ts';
import { type Bytes, type BytesEntry, type BytesStore, byId } from './bytes.ts';

/** A flush whose listener writes back into the store more often than this is a loop. */
const MAX_FLUSH_ROUNDS = 100;

/** Called for each key a cache flush or eviction writes through: the new and the previous value. */
export type CacheFlushListener = (
  key: Bytes,
  newValue: Uint8Array | null,
  oldValue: Uint8Array | null,
  timestamp: number,
) => void;

/** The byte budget all caches of one streams instance share (Kafka's `statestore.cache.max.bytes`). */
export class CacheBudget {
  readonly maxBytes: number;
  used = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }
}

interface CacheEntry {
  key: Bytes;
  value: Uint8Array | null;
  timestamp: number;
  size: number;
  /** The cache holding the entry; undefined once the entry has left it. */
  owner: CachingBytesStore | undefined;
  /** Read or written since the last eviction passed it: it gets a second chance (see #evict). */
  used: boolean;
  /** When it was last written, in the cache's own count of writes: a flush writes through in this order. */
  seq: number;
}

const ENTRY_OVERHEAD = 64;

/**
 * Caching layer: writes to a key collapse here until the next commit (or until the shared budget
 * is exceeded and the oldest keys are evicted), so downstream sees one update per key per commit
 * instead of one per record. Reads see the cache first.
 */
export class CachingBytesStore implements BytesStore {
  readonly #inner: BytesStore;
  readonly #budget: CacheBudget;
  readonly #timestamp: () => number;
  readonly #entries = new Map<string, CacheEntry>();
  #listener: CacheFlushListener | undefined;
  #flushing = false;
  /** Writes so far (each entry's `seq` is the count at its last write). */
  #seq = 0;
  /** Some entry's place in the map is no longer its last write's: the next flush sorts them. */
  #reordered = false;

  constructor(inner: BytesStore, budget: CacheBudget, timestamp: () => number) {
    this.#inner = inner;
    this.#budget = budget;
    this.#timestamp = timestamp;
  }

  get name(): string {
    return this.#inner.name;
  }

  get persistent(): boolean {
    return this.#inner.persistent;
  }

  setFlushListener(listener: CacheFlushListener): void {
    this.#listener = listener;
  }

  get(key: Bytes): Uint8Array | null {
    const entry = this.#entry(key);
    if (entry === undefined) return this.#inner.get(key);
    entry.used = true;
    return entry.value;
  }

  /**
   * The key's entry. The metered store hands out the same `Bytes` for a hot key every time, so the
   * entry is found through the key when it can be; that saved WordCount's counting task a seventh
   * of its time per word (a Map lookup by id for every read and write).
   */
  #entry(key: Bytes): CacheEntry | undefined {
    const linked = key.cached as CacheEntry | undefined;
    if (linked !== undefined && linked.owner === this) return linked;
    const entry = this.#entries.get(key.id);
    if (entry !== undefined) key.cached = entry;
    return entry;
  }

  put(key: Bytes, value: Uint8Array | null): void {
    const id = key.id;
    const size = ENTRY_OVERHEAD + id.length + (value?.length ?? 0);
    const existing = this.#entry(key);
    if (existing !== undefined) {
      this.#budget.used += size - existing.size;
      existing.seq = ++this.#seq;
      this.#reordered = true;
      existing.value = value;
      existing.timestamp = this.#timestamp();
      existing.size = size;
      existing.used = true;
    } else {
      this.#budget.used += size;
      const entry: CacheEntry = {
        key,
        value,
        timestamp: this.#timestamp(),
        size,
        owner: this,
        used: false,
        seq: ++this.#seq,
      };
      this.#entries.set(id, entry);
      key.cached = entry;
    }
    if (this.#budget.used > this.#budget.maxBytes && !this.#flushing) this.#evict();
  }

  /**
   * @internal The key's cached bytes, for the caller to write a new value of the same length over, when they
   * are this cache's alone: an entry's bytes reach the layers below (and the changelog) only when
   * it is written through, and it leaves the cache then, so until that they are no one else's (a
   * read hands them to the metered layer, which decodes and drops them). The entry counts as put.
   * Undefined when the key is not cached with a value of that length: put a new one instead.
   *
   * A count updated for every record so writes its 16 bytes in place instead of making new ones
   * (a typed array is one of the dearest allocations there is).
   */
  writable(key: Bytes, length: number): Uint8Array | undefined {
    const entry = this.#entry(key);
    const value = entry?.value;
    if (value === null || value === undefined || value.length !== length) return undefined;
    entry!.timestamp = this.#timestamp();
    entry!.used = true;
    entry!.seq = ++this.#seq;
    this.#reordered = true;
    return value;
  }

  range(from: Bytes | null, to: Bytes | null): BytesEntry[] {
    const merged = new Map<string, BytesEntry>();
    for (const entry of this.#inner.range(from, to)) merged.set(entry.key.id, entry);
    for (const [id, entry] of this.#entries) {
      if ((from !== null && id < from.id) || (to !== null && id > to.id)) continue;
      if (entry.value === null) merged.delete(id);
      else merged.set(id, { key: entry.key, value: entry.value });
    }
    return [...merged.values()].sort(byId);
  }

  approximateNumEntries(): number {
    return this.#inner.approximateNumEntries() + this.#entries.size;
  }

  /**
   * Writes every cached key through, oldest first, telling the listener about each. What the
   * listener writes back into this store meanwhile (downstream of its own flush) is written through
   * in later rounds of the same flush: a commit must hold it, as it holds the input that caused it.
   */
  flush(): void {
    this.#flushing = true;
    try {
      for (let round = 0; this.#entries.size > 0; round++) {
        if (round === MAX_FLUSH_ROUNDS) {
          throw new TributaryError(
            'ILLEGAL_STATE',
            `Store "${this.name}": its flush listener kept writing to it through ${MAX_FLUSH_ROUNDS} rounds of one flush`,
            { store: this.name },
          );
        }
        // In the order of each key's last write, as Kafka's cache flushes its dirty entries.
        const entries = [...this.#entries.values()];
        if (this.#reordered) entries.sort(byLastWrite);
        this.#reordered = false;
        this.#entries.clear();
        for (const entry of entries) this.#writeThrough(entry);
      }
    } finally {
      this.#flushing = false;
    }
    this.#inner.flush();
  }

  close(): void | Promise<void> {
    for (const entry of this.#entries.values()) {
      this.#budget.used -= entry.size;
      entry.owner = undefined;
    }
    this.#entries.clear();
    return this.#inner.close();
  }

  #writeThrough(entry: CacheEntry): void {
    this.#budget.used -= entry.size;
    entry.owner = undefined;
    const old = this.#listener !== undefined ? this.#inner.get(entry.key) : null;
    // As Kafka's caching stores: a key put and deleted again while cached, which the store below
    // never had, is neither written (no tombstone in the changelog) nor told downstream.
    if (entry.value === null && old === null && this.#listener !== undefined) return;
    this.#inner.put(entry.key, entry.value);
    this.#listener?.(entry.key, entry.value, old, entry.timestamp);
  }

  /**
   * Evicts the least recently used half of this cache (one by one would forward on every put once
   * full). Kafka's cache keeps exact LRU order, moving an entry on every read and write; here the
   * entries stay in insertion order and a read or write only marks one used, and eviction, walking
   * from the oldest, moves a marked entry to the newest end instead of evicting it (a second
   * chance, the clock approximation of LRU), at one field write on the hot path.
   */
  #evict(): void {
    this.#flushing = true;
    try {
      let n = Math.max(1, this.#entries.size >>> 1);
      for (const [id, entry] of this.#entries) {
        if (n <= 0 || this.#budget.used <= this.#budget.maxBytes / 2) break;
        this.#entries.delete(id);
        if (entry.used) {
          // Visited again at the end of this walk, unmarked.
          entry.used = false;
          this.#entries.set(id, entry);
          this.#reordered = true;
          continue;
        }
        n--;
        this.#writeThrough(entry);
      }
    } finally {
      this.#flushing = false;
    }
  }
}

/** Cache entries in the order of their last write (their `seq`), as Kafka's cache flushes its dirty keys. */
export function byLastWrite(a: { seq: number }, b: { seq: number }): number {
  return a.seq - b.seq;
}
