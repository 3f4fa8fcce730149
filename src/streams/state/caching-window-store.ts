import { TributaryError } from '../../errors.ts';
import type { Bytes, BytesEntry, BytesStore } from './bytes.ts';
import { byLastWrite, type CacheBudget } from './caching-store.ts';
import { SortedIds } from './sorted-ids.ts';
import { timestampedBytes, timestampOf } from './value-and-timestamp.ts';

/** A flush whose listener writes back into the store more often than this is a loop. */
const MAX_FLUSH_ROUNDS = 100;
const ENTRY_OVERHEAD = 64;

/**
 * Called for each window a flush or eviction writes through: its key, the value's own bytes (null
 * for a delete) and timestamp, the previous value's stored bytes (`ValueAndTimestamp` layout), when
 * it was cached, and the typed key and value the window was put with, when it was (so they need
 * not be decoded).
 */
export type WindowCacheFlushListener = (
  key: Bytes,
  newRaw: Uint8Array | null,
  newTimestamp: number,
  oldValue: Uint8Array | null,
  timestamp: number,
  typedKey: unknown,
  typedValue: unknown,
) => void;

/**
 * A layer under the cache that takes a window's value as its own bytes and timestamp (so neither
 * the cache nor the changelog makes the `ValueAndTimestamp` bytes or a view into them).
 */
export interface WindowPartsStore extends BytesStore {
  putParts(key: Bytes, raw: Uint8Array | null, timestamp: number): void;
}

function hasParts(store: BytesStore): store is WindowPartsStore {
  return typeof (store as Partial<WindowPartsStore>).putParts === 'function';
}

/** A cached window. */
export interface WindowCacheEntry {
  readonly key: Bytes;
  /** The value's own bytes, null for a delete. */
  raw: Uint8Array | null;
  /** The value's timestamp. */
  valueTimestamp: number;
  /** `raw` in `ValueAndTimestamp` layout, made when a read asks for it. */
  stored: Uint8Array | null | undefined;
  typedKey: unknown;
  typedValue: unknown;
  /** When it was cached (the task's time). */
  timestamp: number;
  size: number;
  /** Read or written since the last eviction passed it: it gets a second chance. */
  used: boolean;
  /** When it was last written, in the cache's own count of writes: a flush writes through in this order. */
  seq: number;
  /**
   * The store under the cache held nothing for this window when it was cached (a read had just
   * found nothing there). Only this cache writes to the store, and the window leaves the cache as
   * it is written, so this holds until then: the flush listener's old value is null, not read.
   */
  readonly storeEmpty: boolean;
  /**
   * Written through by the flush under way, which drops it from the cache when its round ends
   * (reads meanwhile see what the store now holds); a put meanwhile replaces it with a new entry.
   */
  written: boolean;
}

function storedOf(entry: WindowCacheEntry): Uint8Array | null {
  let stored = entry.stored;
  if (stored === undefined)
    stored = entry.stored = entry.raw === null ? null : timestampedBytes(entry.valueTimestamp, entry.raw);
  return stored;
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
  readonly #parts: WindowPartsStore | undefined;
  readonly #budget: CacheBudget;
  readonly #timestamp: () => number;
  readonly #entries = new Map<string, WindowCacheEntry>();
  #sorted: SortedIds | undefined;
  #listener: WindowCacheFlushListener | undefined;
  /** Writes so far (each entry's `seq` is the count at its last write). */
  #seq = 0;
  /** Some entry's place in the map is no longer its last write's: the next flush sorts them. */
  #reordered = false;
  #flushing = false;
  /** Windows added to the cache during the flush's current round (see {@link flush}). */
  #addedWhileFlushing = 0;
  /** Grows whenever windows leave the cache: an answer of {@link cached} holds while it stays. */
  epoch = 0;

  constructor(inner: BytesStore, budget: CacheBudget, timestamp: () => number) {
    this.#inner = inner;
    this.#parts = hasParts(inner) ? inner : undefined;
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
    return storedOf(entry);
  }

  /**
   * The cached window of `key`, if it is cached (marked as used); undefined when it is not. The
   * answer may be handed back to {@link putWindow} for the same key while {@link epoch} stays and
   * nothing else was put.
   */
  cached(key: Bytes): WindowCacheEntry | undefined {
    const entry = this.#entries.get(key.id);
    if (entry !== undefined) entry.used = true;
    return entry;
  }

  /** Whether `key`'s window is in the cache (not marked as used). */
  has(key: Bytes): boolean {
    return this.#entries.has(key.id);
  }

  /** Reads what is under the cache (for a window {@link cached} does not have). */
  getStored(key: Bytes): Uint8Array | null {
    return this.#inner.get(key);
  }

  /** Puts `ValueAndTimestamp` bytes (null deletes). */
  put(key: Bytes, value: Uint8Array | null): void {
    if (value === null) this.putWindow(key, null, 0, undefined, undefined);
    else this.putWindow(key, value.subarray(8), timestampOf(value), undefined, undefined, value);
  }

  /**
   * Puts a window's value as its own bytes and timestamp (null deletes); `typedKey` and
   * `typedValue`: what the bytes were serialized from, handed to the listener. `storeEmpty`: the
   * caller read the store under the cache ({@link getStored}) for this window, while {@link epoch}
   * stayed, and found nothing (see {@link WindowCacheEntry.storeEmpty}).
   */
  putWindow(
    key: Bytes,
    raw: Uint8Array | null,
    valueTimestamp: number,
    typedKey: unknown,
    typedValue: unknown,
    stored?: Uint8Array,
    known?: WindowCacheEntry | null,
    storeEmpty = false,
  ): void {
    const id = key.id;
    const size = ENTRY_OVERHEAD + id.length + (raw === null ? 0 : raw.length + 8);
    // `known`: what cached() just answered for this key (null: not cached), so it is not looked up again.
    let existing = known === undefined ? this.#entries.get(id) : known === null ? undefined : known;
    if (existing?.written) {
      // Written through already in this flush: the new value is a new entry, written in a later round.
      this.#entries.delete(id);
      this.#sorted?.delete(id);
      existing = undefined;
    }
    if (existing !== undefined) {
      this.#budget.used += size - existing.size;
      existing.seq = ++this.#seq;
      this.#reordered = true;
      existing.raw = raw;
      existing.valueTimestamp = valueTimestamp;
      existing.stored = stored;
      existing.typedKey = typedKey;
      existing.typedValue = typedValue;
      existing.timestamp = this.#timestamp();
      existing.size = size;
      existing.used = true;
    } else {
      this.#budget.used += size;
      if (this.#flushing) this.#addedWhileFlushing++;
      this.#entries.set(id, {
        key,
        raw,
        valueTimestamp,
        stored,
        typedKey,
        typedValue,
        timestamp: this.#timestamp(),
        size,
        used: false,
        seq: ++this.#seq,
        storeEmpty,
        written: false,
      });
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
      if (entry.raw !== null) out.push({ key: entry.key, value: storedOf(entry)! });
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
        // A round writes through the windows cached when it starts, in order, and then drops them
        // all at once: no lookup per window (in a cache of tens of thousands of windows, each was a
        // cache miss). What the listener reads meanwhile (a getter downstream) sees the windows
        // not written yet, and the written ones as the store now holds them. A window it puts
        // again is updated in place if not written yet, or else comes back as a new entry at the
        // end of the map, for the next round.
        this.#addedWhileFlushing = 0;
        let n = this.#entries.size;
        // In the order of each window's last write, as Kafka's cache flushes its dirty entries: the
        // map's own order unless a window was written again (or an eviction pass moved one) since.
        const order = this.#reordered ? [...this.#entries.values()].sort(byLastWrite) : this.#entries.values();
        this.#reordered = false;
        try {
          for (const entry of order) {
            if (n-- === 0) break;
            entry.written = true;
            this.epoch++;
            this.#writeThrough(entry);
          }
        } catch (error) {
          // The windows written before the listener threw go, as if the flush had gone that far.
          this.#dropWritten();
          throw error;
        }
        if (this.#addedWhileFlushing === 0) {
          // Nothing was added meanwhile: every window in the map was written.
          this.#entries.clear();
          this.#sorted = undefined;
        } else this.#dropWritten();
      }
    } finally {
      this.#flushing = false;
    }
    this.#inner.flush();
  }

  /** Drops the windows the flush under way has written through. */
  #dropWritten(): void {
    for (const [id, entry] of this.#entries) {
      if (!entry.written) continue;
      this.#entries.delete(id);
      this.#sorted?.delete(id);
    }
  }

  close(): void | Promise<void> {
    for (const entry of this.#entries.values()) this.#budget.used -= entry.size;
    this.#entries.clear();
    this.#sorted = undefined;
    this.epoch++;
    return this.#inner.close();
  }

  #writeThrough(entry: WindowCacheEntry): void {
    this.#budget.used -= entry.size;
    const old = this.#listener !== undefined && !entry.storeEmpty ? this.#inner.get(entry.key) : null;
    if (this.#parts !== undefined) this.#parts.putParts(entry.key, entry.raw, entry.valueTimestamp);
    else this.#inner.put(entry.key, storedOf(entry));
    this.#listener?.(
      entry.key,
      entry.raw,
      entry.valueTimestamp,
      old,
      entry.timestamp,
      entry.typedKey,
      entry.typedValue,
    );
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
          this.#reordered = true;
          continue;
        }
        n--;
        this.#sorted?.delete(id);
        this.epoch++;
        this.#writeThrough(entry);
      }
    } finally {
      this.#flushing = false;
    }
  }
}
