import { TopologyError } from '../../errors.ts';
import { Serdes } from '../../serde/index.ts';
import type { Serde } from '../../serde/index.ts';
import { storeSerdes } from './store-serdes.ts';
import { fastSerde } from '../internal/fast-serde.ts';
import type { Windowed } from '../windows.ts';
import { Bytes, type BytesStore, ForwardingBytesStore } from './bytes.ts';
import { ChangeLoggingBytesStore } from './logging-store.ts';
import { CachingWindowBytesStore, type WindowCacheEntry, type WindowPartsStore } from './caching-window-store.ts';
import type { KeyValue, StateStore } from './key-value-store.ts';
import type { BuiltStore, KeyValueBytesStoreSupplier, StoreEnv } from './stores.ts';
import type { MeteredKeyValueStore } from './metered-store.ts';
import { StoreBuilderBase, windowedChangelogConfig } from './store-builder.ts';
import {
  rawValueOf,
  readInt64,
  timestampedBytes,
  timestampOf,
  type ValueAndTimestamp,
  writeInt64,
} from './value-and-timestamp.ts';

/**
 * What interactive queries may do with a window store (Kafka's `ReadOnlyWindowStore`). Windows are
 * named by their start; results come in ascending start order (`backward…` descending).
 *
 * @example
 * const counts = driver.getWindowStore<string, number>('clicks-per-minute');
 * counts.fetch('alice', 60_000);                 // 3: alice's count in the window starting at 1 min
 * counts.fetch('alice', 0, 180_000);             // [{ key: 0, value: 1 }, { key: 60000, value: 3 }]
 */
export interface ReadOnlyWindowStore<K, V> {
  /** The value of `key` in the window starting at `windowStart`, or null. */
  fetch(key: K, windowStart: number): V | null;
  /** The values of `key` in windows starting between `from` and `to` (inclusive), keyed by start. */
  fetch(key: K, from: number, to: number): KeyValue<number, V>[];
  /** `fetch(key, from, to)` in descending start order. */
  backwardFetch(key: K, from: number, to: number): KeyValue<number, V>[];
  /** Every key's windows starting between `from` and `to`, by start then key bytes. */
  fetchAll(from: number, to: number): KeyValue<Windowed<K>, V>[];
  /** `fetchAll` in descending order. */
  backwardFetchAll(from: number, to: number): KeyValue<Windowed<K>, V>[];
  /** Every window the store keeps. */
  all(): KeyValue<Windowed<K>, V>[];
}

/** A window store a processor writes to (Kafka's `WindowStore`); a null value deletes the window. */
export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V>, StateStore {
  /** Stores the value of `key` in the window starting at `windowStart`; `null` deletes it. */
  put(key: K, value: V | null, windowStart: number): void;
}

/**
 * The typed window store over a bytes stack (Kafka's metered + timestamped window store). Keys are
 * stored in Kafka's window-store layout, `key | start int64 | seqnum int32`, so one key's windows
 * are adjacent and ordered by start; values are `ValueAndTimestamp` bytes. Windows that start at or
 * before the newest start seen minus the retention period are expired: not returned, not accepted,
 * and removed from the innermost store whenever the newest start enters a new segment.
 */
export class MeteredWindowStore<K, V> implements WindowStore<K, V> {
  readonly #stack: BytesStore;
  /** The stack when it is a cache: puts hand it the typed key and value too. */
  readonly #cache: CachingWindowBytesStore | undefined;
  readonly #innermost: BytesStore;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  readonly #topic: string;
  readonly #timestamp: () => number;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  readonly #segmentMs: number;
  /** A window starting this far or more behind the newest start has expired (see timeOrdered). */
  readonly #expiryMs: number;
  /** See {@link WindowBytesStoreSupplier.timeOrdered}. */
  readonly #timeOrdered: boolean;
  #observed: number | undefined;
  /**
   * Under a cache: the newest start written through to the store below it, which is what that
   * store's expiry goes by (Kafka's segmented store tracks its own stream time so). Without a
   * cache every put is written at once and this is {@link #observed}.
   */
  #storedObserved: number | undefined;
  #seq = 0;
  /** The last key serialized, so fetch-then-put of one record serializes its key once. */
  #lastKey: K | undefined;
  #lastKeyBytes: Uint8Array | undefined;
  /** The store key of the last window fetched, so a windowed aggregation's put of it reuses it. */
  #lastWindow: Bytes | undefined;
  #lastWindowKey: K | undefined;
  #lastWindowStart = 0;
  /** Whether the last window fetched was there (a put of it then has an old value to read back). */
  #lastWindowFound = false;
  /** What the cache answered for the last window fetched (null: not cached; undefined: not asked). */
  #lastEntry: WindowCacheEntry | null | undefined;
  #lastEpoch = -1;
  /**
   * Store-key ids are made as strings (the key's bytes as latin1, then the window's 12 bytes): the
   * ids of recent keys, by key (primitive keys only, so a mutable key object is never trusted)...
   */
  #keyIds = new Map<unknown, { key: K; id: string }>();
  /** Keys are Serdes.String()'s: an ASCII key's UTF-8 bytes as latin1 are the key itself. */
  readonly #stringKeys: boolean;
  /**
   * The first instance seen of the last key {@link keyId} was asked for: what the cache keeps as the
   * typed key, so each record's own key string (decoded per record) is not kept until the commit.
   */
  #canonicalKey: K | undefined;
  /** ...and the 12 bytes of the last window start (seqnum 0) as latin1: one key's windows repeat. */
  #suffixStart = Number.NaN;
  #suffix = '';
  /** The timestamp of the value {@link fetchStamped} returned last. */
  stampedAt = -1;
  /** Where range bounds are written: their ids are all a range reads of them. */
  #scratch = new Uint8Array(64);
  /**
   * `expired`: writes refused because their window was past retention; `droppedRecords`: late
   * records the windowed aggregation writing this store dropped (after window end + grace).
   */
  readonly metrics = { puts: 0, fetches: 0, expired: 0, droppedRecords: 0 };

  constructor(
    stack: BytesStore,
    innermost: BytesStore,
    serdes: { key: Serde<K>; value: Serde<V>; topic: string },
    options: {
      retentionMs: number;
      windowSizeMs: number;
      retainDuplicates: boolean;
      timestamp: () => number;
      timeOrdered?: boolean;
    },
  ) {
    this.#stack = stack;
    this.#cache = stack instanceof CachingWindowBytesStore ? stack : undefined;
    this.#innermost = innermost;
    this.#keySerde = fastSerde(serdes.key);
    this.#stringKeys = serdes.key === (Serdes.String() as unknown);
    this.#valueSerde = fastSerde(serdes.value);
    this.#topic = serdes.topic;
    this.#timestamp = options.timestamp;
    this.retentionMs = options.retentionMs;
    this.#timeOrdered = options.timeOrdered === true;
    this.#expiryMs = options.retentionMs + (this.#timeOrdered ? 1 : 0);
    this.windowSizeMs = options.windowSizeMs;
    this.retainDuplicates = options.retainDuplicates;
    // Expiry runs once per segment of half the retention: the store keeps at most 1.5 retentions
    // of windows. (Kafka's RocksDB segments are at least 60 s, each segment being a database; here
    // a segment is a span of time, and a join's 1 s window kept 60 s of records in a 60 s segment.)
    // Each expiry scans the store's ids: a window lives through at most three of them, so the scans
    // cost about three id reads per window, where an index of each segment's ids cost a set insert
    // per window put, and its delete.
    this.#segmentMs = Math.max(Math.floor(options.retentionMs / 2), 1);
  }

  get name(): string {
    return this.#stack.name;
  }

  get persistent(): boolean {
    return this.#stack.persistent;
  }

  /** The bytes stack under this layer, for the runtime (flush, close). */
  get inner(): BytesStore {
    return this.#stack;
  }

  /**
   * Forwards cache flushes as typed changes of windowed keys, stamped with the window value's
   * timestamp. Returns false when the store has no cache, in which case the caller forwards each
   * update itself. A delete of a window the store never had is not told (Kafka's caching window
   * store skips it too).
   */
  setFlushListener(
    listener: (key: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number) => void,
  ): boolean {
    const cache = this.#stack;
    if (!(cache instanceof CachingWindowBytesStore)) return false;
    cache.setFlushListener((key, newRaw, newTimestamp, oldValue, timestamp, typedKey, typedValue) => {
      if (newRaw === null && oldValue === null) return;
      const id = key.id;
      const start = startOfId(id);
      const windowed: Windowed<K> = {
        key: typedKey !== undefined ? (typedKey as K) : this.#keyOfId(id),
        window: { start, end: start + this.windowSizeMs },
      };
      listener(
        windowed,
        newRaw === null
          ? null
          : typedValue !== undefined
            ? (typedValue as V)
            : (this.#valueSerde.deserialize(this.#topic, newRaw) as V),
        oldValue === null ? null : this.#value(oldValue).value,
        newRaw === null ? timestamp : newTimestamp,
      );
    });
    return true;
  }

  /** Stores the value of `key` in the window starting at `windowStart`; `null` deletes it. */
  put(key: K, value: V | null, windowStart: number): void {
    this.putWithTimestamp(key, value, windowStart, this.#timestamp());
  }

  /** Puts the window's value with its own timestamp (a windowed aggregation's result timestamp). */
  putWithTimestamp(key: K, value: V | null, windowStart: number, timestamp: number): void {
    this.metrics.puts++;
    const observed = this.#observedTime();
    if (windowStart > observed) {
      const segmentBefore = Math.floor(observed / this.#segmentMs);
      this.#observed = windowStart;
      if (Math.floor(windowStart / this.#segmentMs) !== segmentBefore) this.#expire();
    }
    if (windowStart <= (this.#observed ?? 0) - this.#expiryMs) {
      this.metrics.expired++;
      return;
    }
    if (this.retainDuplicates && value === null) return;
    const seq = this.retainDuplicates ? ++this.#seq : 0;
    const raw = value === null ? null : this.#valueSerde.serialize(this.#topic, value);
    const last = this.#lastWindow;
    const reused =
      seq === 0 && last !== undefined && this.#lastWindowStart === windowStart && this.#lastWindowKey === key;
    const storeKey = reused ? last : Bytes.fromId(this.#storeId(key, windowStart, seq));
    // The same key as the store id's (the first instance seen of it), for the cache to keep.
    const typedKey = this.#canonicalKey === key ? this.#canonicalKey : key;
    if (this.#cache !== undefined) {
      const known = reused && this.#cache.epoch === this.#lastEpoch ? this.#lastEntry : undefined;
      // The entry is made or updated now: what was known of it no longer holds.
      this.#lastEntry = undefined;
      // Not cached when fetched, and not found in the store either: nothing is there to read back.
      const storeEmpty = known === null && !this.#lastWindowFound;
      this.#cache.putWindow(storeKey, raw, timestamp, typedKey, value ?? undefined, undefined, known, storeEmpty);
    } else this.#stack.put(storeKey, raw === null ? null : timestampedBytes(timestamp, raw));
  }

  fetch(key: K, windowStart: number): V | null;
  fetch(key: K, from: number, to: number): KeyValue<number, V>[];
  fetch(key: K, from: number, to?: number): V | null | KeyValue<number, V>[] {
    if (to === undefined) return this.fetchWithTimestamp(key, from)?.value ?? null;
    return this.#fetchKey(key, from, to).map((e) => ({ key: e.start, value: e.value.value }));
  }

  /** The window's value and timestamp, or null. */
  fetchWithTimestamp(key: K, windowStart: number): ValueAndTimestamp<V> | null {
    const value = this.fetchStamped(key, windowStart);
    return value === null ? null : { value, timestamp: this.stampedAt };
  }

  /**
   * The window's value, or null; its timestamp is left in {@link stampedAt} (no `ValueAndTimestamp`
   * made per read). A cached primitive value (a count, a sum) is read as it was put, not decoded.
   */
  fetchStamped(key: K, windowStart: number): V | null {
    this.metrics.fetches++;
    this.#lastWindowFound = false;
    this.#lastEntry = undefined;
    const cache = this.#cache;
    // A cached window is read whatever its age (see #expiredOnRead); the store's by its expiry.
    if (cache === undefined && this.#isExpired(windowStart)) return null;
    const storeKey = Bytes.fromId(this.#storeId(key, windowStart, 0));
    this.#lastWindow = storeKey;
    this.#lastWindowKey = key;
    this.#lastWindowStart = windowStart;
    let bytes: Uint8Array | null;
    if (cache !== undefined) {
      const entry = cache.cached(storeKey);
      this.#lastEntry = entry ?? null;
      this.#lastEpoch = cache.epoch;
      if (entry !== undefined) {
        if (entry.raw === null) return null;
        this.#lastWindowFound = true;
        this.stampedAt = entry.valueTimestamp;
        const typed = entry.typedValue;
        if (typed !== undefined && typed !== null && typeof typed !== 'object' && typeof typed !== 'function')
          return typed as V;
        return this.#valueSerde.deserialize(this.#topic, entry.raw) as V;
      }
      if (windowStart <= this.#storedObservedTime() - this.#expiryMs) return null;
      bytes = cache.getStored(storeKey);
    } else {
      bytes = this.#stack.get(storeKey);
    }
    if (bytes === null) return null;
    this.#lastWindowFound = true;
    this.stampedAt = timestampOf(bytes);
    return this.#valueSerde.deserialize(this.#topic, rawValueOf(bytes)) as V;
  }

  /** The key's windows starting between `from` and `to` with their values and timestamps, by start. */
  fetchWithTimestamps(key: K, from: number, to: number): { start: number; value: ValueAndTimestamp<V> }[] {
    return this.#fetchKey(key, from, to);
  }

  backwardFetch(key: K, from: number, to: number): KeyValue<number, V>[] {
    return this.fetch(key, from, to).reverse();
  }

  fetchAll(from: number, to: number): KeyValue<Windowed<K>, V>[] {
    return this.fetchAllWithTimestamps(from, to).map((e) => ({ key: e.key, value: e.value.value }));
  }

  /**
   * Every window starting between `from` and `to` with its value and timestamp, by start and then
   * key bytes (the order of Kafka's time-ordered window stores).
   */
  fetchAllWithTimestamps(from: number, to: number): KeyValue<Windowed<K>, ValueAndTimestamp<V>>[] {
    this.metrics.fetches++;
    const out: { start: number; id: string; entry: KeyValue<Windowed<K>, ValueAndTimestamp<V>> }[] = [];
    for (const e of this.#stack.range(null, null)) {
      const start = this.#startOf(e.key.bytes);
      if (start < from || start > to || this.#expiredOnRead(e.key, start)) continue;
      const keyBytes = e.key.bytes.subarray(0, e.key.bytes.length - 12);
      out.push({ start, id: e.key.id, entry: { key: this.#windowed(keyBytes, start), value: this.#value(e.value) } });
    }
    out.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out.map((o) => o.entry);
  }

  backwardFetchAll(from: number, to: number): KeyValue<Windowed<K>, V>[] {
    return this.fetchAll(from, to).reverse();
  }

  all(): KeyValue<Windowed<K>, V>[] {
    return this.fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  #fetchKey(key: K, from: number, to: number): { start: number; value: ValueAndTimestamp<V> }[] {
    this.metrics.fetches++;
    const k = this.#keyBytes(key);
    const lo = Bytes.fromId(this.#boundId(k, Math.max(from, 0), 0));
    const hi = Bytes.fromId(this.#boundId(k, Math.max(to, 0), 0xffffffff));
    const out: { start: number; value: ValueAndTimestamp<V> }[] = [];
    const entries = this.#stack.range(lo, hi);
    if (entries.length === 0) return out;
    // Read by id (the stores hand keys out by id): no key bytes made per window.
    const idLength = k.length + 12;
    const keyId = lo.id.substring(0, k.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const id = e.key.id;
      // Another key whose bytes start with this key's falls in the range too: keep exact matches.
      if (id.length !== idLength || !id.startsWith(keyId)) continue;
      const start = startOfId(id);
      if (start < from || start > to || this.#expiredOnRead(e.key, start)) continue;
      out.push({ start, value: this.#value(e.value) });
    }
    return out;
  }

  #observedTime(): number {
    this.#observed ??= this.#newestStoredStart();
    return this.#observed;
  }

  /** The newest start the innermost store holds: where stream time is after a restart or a restore. */
  #newestStoredStart(): number {
    let max = Number.MIN_SAFE_INTEGER;
    for (const id of this.#innermostIds()) max = Math.max(max, startOfId(id));
    return max;
  }

  /**
   * Whether a window a read found is past retention: as Kafka's caching window store merges its
   * reads, a window in the cache by the range alone, one from the store below by that store's own
   * expiry (see #storedObserved).
   */
  #expiredOnRead(key: Bytes, start: number): boolean {
    const cache = this.#cache;
    if (cache === undefined) return this.#isExpired(start);
    return !cache.has(key) && start <= this.#storedObservedTime() - this.#expiryMs;
  }

  #storedObservedTime(): number {
    this.#storedObserved ??= this.#newestStoredStart();
    return this.#storedObserved;
  }

  /**
   * @internal A cache writes the window starting at `start` through to the store below it: moves
   * that store's own stream time (see #storedObserved); false when the window has expired, which
   * the store then does not take (as Kafka's segmented store skips a put to an expired segment).
   * Only a time-ordered store goes by its own stream time here, as Kafka's does (an emit on close
   * reads what it holds); the others by the task's newest window, which keeps fewer windows that
   * would only be deleted at the next expiry.
   */
  writesThrough(start: number): boolean {
    const before = this.#storedObservedTime();
    let observed = before;
    if (start > before) {
      this.#storedObserved = observed = start;
      // A time-ordered store (emitting on close) expires by its own stream time, as Kafka's: into a
      // later segment, the windows it now holds past retention go.
      if (this.#timeOrdered && Math.floor(start / this.#segmentMs) !== Math.floor(before / this.#segmentMs))
        this.#expire();
    }
    return this.#timeOrdered ? start > observed - this.#expiryMs : !this.#isExpired(start);
  }

  #isExpired(start: number): boolean {
    return start <= this.#observedTime() - this.#expiryMs;
  }

  /** Removes expired windows from the innermost store: local cleanup, not logged (the changelog's own retention drops them there). */
  #expire(): void {
    // A time-ordered store under a cache expires by its own stream time (see writesThrough).
    const expiredUpTo =
      (this.#timeOrdered && this.#cache !== undefined ? this.#storedObservedTime() : this.#observedTime()) -
      this.#expiryMs;
    const innermost = this.#innermost;
    for (const id of this.#innermostIds()) if (startOfId(id) <= expiredUpTo) innermost.put(Bytes.fromId(id), null);
  }

  /** The ids of the innermost store's windows, unsorted where the store can list them so. */
  #innermostIds(): Iterable<string> {
    const store = this.#innermost;
    return store.ids !== undefined ? store.ids() : store.range(null, null).map((e) => e.key.id);
  }

  #keyBytes(key: K): Uint8Array {
    if (key === this.#lastKey && this.#lastKeyBytes !== undefined) return this.#lastKeyBytes;
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: key must not be null`);
    const bytes = this.#keySerde.serialize(this.#topic, key);
    if (bytes === null) throw new TypeError(`store ${this.name}: key serialized to null`);
    this.#lastKey = key;
    this.#lastKeyBytes = bytes;
    return bytes;
  }

  /** The id of a store key, written in the scratch buffer: no bytes kept for a range bound. */
  #boundId(key: Uint8Array, start: number, seq: number): string {
    const n = key.length;
    if (this.#scratch.length < n + 12) this.#scratch = new Uint8Array(2 * (n + 12));
    writeStoreKey(this.#scratch, key, start, seq);
    return latin1Slice.call(this.#scratch, 0, n + 12);
  }

  /** The id of the store key `key | start | seq`: the key's id, then the window's 12 bytes. */
  #storeId(key: K, start: number, seq: number): string {
    let suffix: string;
    if (seq === 0 && start === this.#suffixStart) suffix = this.#suffix;
    else {
      suffix = windowSuffix(start, seq);
      if (seq === 0) {
        this.#suffixStart = start;
        this.#suffix = suffix;
      }
    }
    // Joined, not `+`: a concatenation is a cons string, which V8 flattens at the first map lookup
    // and then reads through an indirection; the ids are read char by char (the start, the bytes)
    // several times over, about four times slower so (docs/benchmarks.md, session 14).
    return [this.#keyId(key), suffix].join('');
  }

  /** The key's bytes as latin1 (the first part of its store keys' ids). */
  #keyId(key: K): string {
    if (this.#stringKeys && typeof key === 'string' && isShortAscii(key)) {
      this.#canonicalKey = key;
      return key;
    }
    const primitive = typeof key === 'string' || typeof key === 'number';
    if (primitive) {
      const known = this.#keyIds.get(key);
      if (known !== undefined) {
        this.#canonicalKey = known.key;
        return known.id;
      }
    }
    this.#canonicalKey = key;
    const bytes = this.#keyBytes(key);
    const id = latin1Slice.call(bytes, 0, bytes.length);
    if (primitive) {
      if (this.#keyIds.size >= KEY_IDS_MAX) this.#keyIds.clear();
      this.#keyIds.set(key, { key, id });
    }
    return id;
  }

  /** The typed key of a store key's id. */
  #keyOfId(id: string): K {
    return this.#keySerde.deserialize(this.#topic, Buffer.from(id.substring(0, id.length - 12), 'latin1')) as K;
  }

  #startOf(storeKey: Uint8Array): number {
    return readInt64(storeKey, storeKey.length - 12);
  }

  #windowed(keyBytes: Uint8Array, start: number): Windowed<K> {
    return {
      key: this.#keySerde.deserialize(this.#topic, keyBytes) as K,
      window: { start, end: start + this.windowSizeMs },
    };
  }

  #value(bytes: Uint8Array): ValueAndTimestamp<V> {
    return { value: this.#valueSerde.deserialize(this.#topic, rawValueOf(bytes)) as V, timestamp: timestampOf(bytes) };
  }
}

/**
 * `timestampedBytes` in a slice of Node's buffer pool: a window's stored value lives until the
 * window expires, and a pool slice is one small object whose bytes stay off the collected heap.
 */
function pooledTimestampedBytes(timestamp: number, raw: Uint8Array): Uint8Array {
  const n = raw.length;
  const out = Buffer.allocUnsafe(8 + n);
  writeInt64(out, 0, timestamp);
  if (n <= 16) for (let i = 0; i < n; i++) out[8 + i] = raw[i]!;
  else out.set(raw, 8);
  return out;
}

/** Whether `s` is at most 64 chars, all ASCII (its UTF-8 bytes are its chars). */
function isShortAscii(s: string): boolean {
  const n = s.length;
  if (n > 64) return false;
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** How many keys' ids a window store remembers (then it forgets them all and starts again). */
const KEY_IDS_MAX = 65_536;

/** The 12 bytes `start int64 | seqnum int32` of a store key, as latin1. */
function windowSuffix(start: number, seq: number): string {
  const high = Math.floor(start / 0x1_0000_0000);
  const low = start - high * 0x1_0000_0000;
  return String.fromCharCode(
    (high >>> 24) & 0xff,
    (high >>> 16) & 0xff,
    (high >>> 8) & 0xff,
    high & 0xff,
    (low >>> 24) & 0xff,
    (low >>> 16) & 0xff,
    (low >>> 8) & 0xff,
    low & 0xff,
    (seq >>> 24) & 0xff,
    (seq >>> 16) & 0xff,
    (seq >>> 8) & 0xff,
    seq & 0xff,
  );
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice;

/** Writes `key | start int64 | seqnum int32` at the start of `out`. */
function writeStoreKey(out: Uint8Array, key: Uint8Array, start: number, seq: number): void {
  const n = key.length;
  out.set(key, 0);
  writeInt64(out, n, start);
  out[n + 8] = seq >>> 24;
  out[n + 9] = seq >>> 16;
  out[n + 10] = seq >>> 8;
  out[n + 11] = seq;
}

/** The window start in a store key's id (its bytes as latin1): `key | start int64 | seqnum int32`. */
function startOfId(id: string): number {
  const at = id.length - 12;
  const high =
    (id.charCodeAt(at) << 24) | (id.charCodeAt(at + 1) << 16) | (id.charCodeAt(at + 2) << 8) | id.charCodeAt(at + 3);
  const low =
    ((id.charCodeAt(at + 4) << 24) |
      (id.charCodeAt(at + 5) << 16) |
      (id.charCodeAt(at + 6) << 8) |
      id.charCodeAt(at + 7)) >>>
    0;
  return high * 0x1_0000_0000 + low;
}

/**
 * Describes a window store so each task can build its own (Kafka's `WindowStoreBuilder` over a
 * `WindowBytesStoreSupplier`). Its changelog is compacted and deleted (`compact,delete`), kept a day
 * past the store's retention, as Kafka creates window changelogs.
 *
 * @example
 * builder.addStateStore(Stores.windowStoreBuilder(Stores.inMemoryWindowStore('recent', 3_600_000, 60_000), Serdes.String(), Serdes.LongNumber()));
 */
export class WindowStoreBuilder<K, V> extends StoreBuilderBase<K, V, WindowBytesStoreSupplier> {
  constructor(supplier: WindowBytesStoreSupplier, keySerde?: Serde<K>, valueSerde?: Serde<V>) {
    super(supplier, keySerde, valueSerde, false);
  }

  /** Whether the store gets a record cache: never for a store that retains duplicates (a join's). */
  override get cachingEnabled(): boolean {
    return super.cachingEnabled && !this.supplier.retainDuplicates;
  }

  /**
   * Puts a record cache in front of the store (off by default, as Kafka's `Stores` builders; the
   * DSL's windowed aggregations turn it on): updates of one key's window are written, logged and
   * forwarded once per commit. Ignored for a store that retains duplicates, as Kafka ignores it.
   */
  withCachingEnabled(): this {
    return this.setCaching(true);
  }

  /** Writes, logs and forwards every update at once (the default). */
  withCachingDisabled(): this {
    return this.setCaching(false);
  }

  /** Compacted and deleted, kept a day past the store's retention. */
  override get changelogConfig(): Record<string, string | number> {
    return windowedChangelogConfig(this.supplier.retentionMs);
  }

  /** Stacks metered window store → caching → change-logging → bytes for one task. */
  build(env: StoreEnv): BuiltStore {
    const [keySerde, valueSerde] = storeSerdes(this.name, this.keySerde, this.valueSerde, env);
    const bytes = this.supplier.bytes.get(env);
    const caching = this.cachingEnabled && env.cacheBudget !== null;
    // A cache writes a window through at the next commit, by when the window may have expired.
    let store: MeteredWindowStore<K, V> | undefined;
    let stack: BytesStore = caching ? new LiveWindowsBytesStore(bytes, (start) => !store!.writesThrough(start)) : bytes;
    const changelogTopic = this.changelogTopic(env);
    if (changelogTopic !== undefined) {
      // Logged as Kafka's timestamped window stores log: the plain value, stamped with its timestamp.
      stack = new WindowLoggingBytesStore(
        stack,
        (key, value, ts) => env.changelog(changelogTopic, key, value, ts),
        env.timestamp,
      );
    }
    if (caching) stack = new CachingWindowBytesStore(stack, env.cacheBudget!, env.timestamp);
    store = new MeteredWindowStore<K, V>(
      stack,
      bytes,
      { key: keySerde, value: valueSerde, topic: changelogTopic ?? this.name },
      {
        retentionMs: this.supplier.retentionMs,
        windowSizeMs: this.supplier.windowSizeMs,
        retainDuplicates: this.supplier.retainDuplicates,
        timestamp: env.timestamp,
        timeOrdered: this.supplier.timeOrdered === true,
      },
    );
    return {
      store: store as unknown as MeteredKeyValueStore<unknown, unknown>,
      bytes,
      changelogTopic,
      restoreValue: (value, ts) => (value === null ? null : timestampedBytes(ts, value)),
    };
  }
}

/**
 * The change-logging layer of a window store: every write to the inner store is also sent to the
 * changelog, as the plain value stamped with its timestamp (Kafka's timestamped window store's
 * changelog records); a delete is stamped with the task's time. A cache above hands it a window's
 * value as its own bytes and timestamp ({@link WindowPartsStore}), so the changelog record takes
 * the value's bytes as they are.
 */
class WindowLoggingBytesStore extends ChangeLoggingBytesStore implements WindowPartsStore {
  override put(key: Bytes, value: Uint8Array | null): void {
    this.inner.put(key, value);
    if (value === null) this.sink(key.passingBytes, null, this.timestamp());
    else this.sink(key.passingBytes, rawValueOf(value), timestampOf(value));
  }

  putParts(key: Bytes, raw: Uint8Array | null, timestamp: number): void {
    if (raw === null) {
      this.inner.put(key, null);
      this.sink(key.passingBytes, null, this.timestamp());
    } else {
      this.inner.put(key, pooledTimestampedBytes(timestamp, raw));
      this.sink(key.passingBytes, raw, timestamp);
    }
  }
}

/**
 * Drops the write of a window that has expired (a cache writing it through at a commit after
 * retention passed it), as Kafka's segmented store skips a put to an expired segment; expiry has
 * already removed, or will never see, that window here. Deletes pass.
 */
class LiveWindowsBytesStore extends ForwardingBytesStore {
  readonly #expired: (start: number) => boolean;

  constructor(inner: BytesStore, expired: (start: number) => boolean) {
    super(inner);
    this.#expired = expired;
  }

  override put(key: Bytes, value: Uint8Array | null): void {
    if (value !== null && this.#expired(startOfId(key.id))) return;
    this.inner.put(key, value);
  }
}

/** Makes the bytes of one task's window store, and says how long windows are kept. */
export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  readonly bytes: KeyValueBytesStoreSupplier;
  /**
   * Kept as Kafka's time-ordered window stores keep windows (the persistent store the DSL picks
   * for a windowed aggregation that emits on window close): a window is still there when its start
   * is exactly the retention behind the newest start, one ms longer than in other window stores.
   */
  readonly timeOrdered?: boolean;
}

/** A window-store supplier over a key-value bytes supplier (in memory or LevelDB). */
export function windowBytesStoreSupplier(
  bytes: KeyValueBytesStoreSupplier,
  retentionMs: number,
  windowSizeMs: number,
  retainDuplicates: boolean,
): WindowBytesStoreSupplier {
  if (!Number.isSafeInteger(retentionMs) || retentionMs < 0)
    throw new TopologyError(`window store ${bytes.name}: retention must be a non-negative integer, got ${retentionMs}`);
  if (!Number.isSafeInteger(windowSizeMs) || windowSizeMs < 0)
    throw new TopologyError(
      `window store ${bytes.name}: window size must be a non-negative integer, got ${windowSizeMs}`,
    );
  if (windowSizeMs > retentionMs) {
    throw new TopologyError(
      `window store ${bytes.name}: the retention (${retentionMs} ms) must be at least the window size (${windowSizeMs} ms)`,
    );
  }
  return { name: bytes.name, retentionMs, windowSizeMs, retainDuplicates, bytes };
}
