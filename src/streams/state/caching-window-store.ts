import { TributaryError } from '../../errors.ts';
import type { Bytes, BytesEntry, BytesStore } from './bytes.ts';
import type { CacheBudget } from './caching-store.ts';
import { SortedIds } from './sorted-ids.ts';

/** A flush whose listener writes back into the store more often than this is a loop. */
const MAX_FLUSH_ROUNDS = 100;
const ENTRY_OVERHEAD = 64;

/**
 * Called for each window a flush or eviction writes through: its bytes, the previous value's, and
 * the typed key and value the window was put with, when it was (so they need not be decoded).
 */
export type WindowCacheFlushListener = (
  key: Bytes,
  newValue: Uint8Array | null,
  oldValue: Uint8Array | null,
  timestamp: number,
  typedKey: unknown,
  typedValue: unknown,
) => void;

interface WindowCacheEntry {
  key: Bytes;
  value: Uint8Array | null;
  typedKey: unknown;
  typedValue: unknown;
  timestamp: number;
  size: number;
  /** Read or written since the last eviction passed it: it gets a second chance. */
  used: boolean;
}

/**
 * The record cache of a window store (Kafka's `CachingWindowStore`), keyed by the windowed store
 * key (`key | start | seqnum`): updates of one key's window collapse here until the next commit
 * (or until the shared budget is exceeded and the least recently used windows are evicted), and
 * are then written through to the store and its changelog and told to the flush listener, which
 * forwards them as `Windowed<K>` changes. Reads see the cache first; a range merges the cache's
 * windows into the store's, in key order.
 *
 * Unlike the key-value cache it ranges often (sliding aggregations read a key's windows per
 * record), so the cached ids are kept sorted once a range has asked for them, instead of sorting
 * or scanning the whole cache per range.
 */
export class CachingWindowBytesStore implements BytesStore {
  readonly #inner: BytesStore;
  readonly #budget: CacheBudget;
  readonly #timestamp: () => number;
  readonly #entries = new Map<string, WindowCacheEntry>();
  #sorted: SortedIds | undefined;
  #listener: WindowCacheFlushListener | undefined;
  #flushing = false;

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

  setFlushListener(listener: WindowCacheFlushListener): void {
    this.#listener = listener;
  }

  get(key: Bytes): Uint8Array | null {
    const entry = this.#entries.get(key.id);
    if (entry === undefined) return this.#inner.get(key);
    entry.used = true;
    return entry.value;
  }

  /** `typedKey` and `typedValue`: what the bytes were serialized from, handed to the listener. */
  put(key: Bytes, value: Uint8Array | null, typedKey?: unknown, typedValue?: unknown): void {
    const id = key.id;
    const size = ENTRY_OVERHEAD + id.length + (value?.length ?? 0);
    const existing = this.#entries.get(id);
    if (existing !== undefined) {
      this.#budget.used += size - existing.size;
      existing.value = value;
      existing.typedKey = typedKey;
      existing.typedValue = typedValue;
      existing.timestamp = this.#timestamp();
      existing.size = size;
      existing.used = true;
    } else {
      this.#budget.used += size;
      this.#entries.set(id, { key, value, typedKey, typedValue, timestamp: this.#timestamp(), size, used: false });
      this.#sorted?.insert(id);
    }
    if (this.#budget.used > this.#budget.maxBytes && !this.#flushing) this.#evict();
  }

  range(from: Bytes | null, to: Bytes | null): BytesEntry[] {
    const stored = this.#inner.range(from, to);
    if (this.#entries.size === 0) return stored;
    this.#sorted ??= SortedIds.fromSorted([...this.#entries.keys()].sort());
    const entries = this.#entries;
    const out: BytesEntry[] = [];
    const toId = to === null ? null : to.id;
    let i = 0;
    this.#sorted.forEachFrom(from === null ? null : from.id, (id) => {
      if (toId !== null && id > toId) return false;
      for (; i < stored.length && stored[i]!.key.id < id; i++) out.push(stored[i]!);
      if (i < stored.length && stored[i]!.key.id === id) i++;
      const entry = entries.get(id)!;
      if (entry.value !== null) out.push({ key: entry.key, value: entry.value });
      return true;
    });
    for (; i < stored.length; i++) out.push(stored[i]!);
    return out;
  }

  approximateNumEntries(): number {
    return this.#inner.approximateNumEntries() + this.#entries.size;
  }

  /**
   * Writes every cached window through, oldest first, telling the listener about each; what the
   * listener writes back meanwhile is written through in the same flush, so the commit holds it
   * (as the key-value cache does).
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
        // Each window leaves the cache only as it is written, so what the listener reads meanwhile
        // (a getter downstream) still sees the windows not written yet.
        for (const entry of [...this.#entries.values()]) {
          const id = entry.key.id;
          if (this.#entries.get(id) !== entry) continue;
          this.#entries.delete(id);
          this.#sorted?.delete(id);
          this.#writeThrough(entry);
        }
      }
    } finally {
      this.#flushing = false;
    }
    this.#inner.flush();
  }

  close(): void | Promise<void> {
    for (const entry of this.#entries.values()) this.#budget.used -= entry.size;
    this.#entries.clear();
    this.#sorted = undefined;
    return this.#inner.close();
  }

  #writeThrough(entry: WindowCacheEntry): void {
    this.#budget.used -= entry.size;
    const old = this.#listener !== undefined ? this.#inner.get(entry.key) : null;
    this.#inner.put(entry.key, entry.value);
    this.#listener?.(entry.key, entry.value, old, entry.timestamp, entry.typedKey, entry.typedValue);
  }

  /**
   * Writes through the least recently used half of this cache, as the key-value cache evicts
   * (insertion order with a second chance for windows read or written since the last pass).
   */
  #evict(): void {
    this.#flushing = true;
    try {
      let n = Math.max(1, this.#entries.size >>> 1);
      for (const [id, entry] of this.#entries) {
        if (n <= 0 || this.#budget.used <= this.#budget.maxBytes / 2) break;
        this.#entries.delete(id);
        if (entry.used) {
          entry.used = false;
          this.#entries.set(id, entry);
          continue;
        }
        n--;
        this.#sorted?.delete(id);
        this.#writeThrough(entry);
      }
    } finally {
      this.#flushing = false;
    }
  }
}
