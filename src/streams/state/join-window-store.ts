import { TopologyError } from '../../errors.ts';
import type { Serde } from '../../serde/index.ts';
import { storeSerdes } from './store-serdes.ts';
import { fastSerde } from '../internal/fast-serde.ts';
import type { Windowed } from '../windows.ts';
import { Bytes, type BytesEntry, type BytesStore, type CheckpointedBytesStore, isCheckpointed } from './bytes.ts';
import type { KeyValue } from './key-value-store.ts';
import { InMemoryBytesStore } from './memory-store.ts';
import type { MeteredKeyValueStore } from './metered-store.ts';
import { StoreBuilderBase, windowedChangelogConfig } from './store-builder.ts';
import type { BuiltStore, StoreEnv } from './stores.ts';
import { readInt64, timestampedBytes, type ValueAndTimestamp, writeInt64 } from './value-and-timestamp.ts';
import type { WindowBytesStoreSupplier, WindowStore } from './window-store.ts';

/**
 * The window stores of a stream-stream join (Kafka's KStreamImplJoin stores: duplicates kept,
 * changelogged, retention before + after + grace). A join puts every record and fetches the other
 * side's records of one key over a time range, so this store keeps each key's records in an array
 * ordered by (start, seqnum), found by the key's bytes: a put is an append, a fetch a map lookup,
 * where the generic window store keeps one sorted index of all its keys. The bytes, the changelog
 * records, the persistent layout (`key | start int64 | seqnum int32` → `timestamp int64 | value`)
 * and the expiry rules are the generic window store's (see {@link MeteredWindowStore}).
 */

/** One record kept in a join store. */
export interface JoinSlot {
  /** The record's timestamp: its window's start. */
  readonly start: number;
  /** The seqnum in its store key (uint32, as written). */
  readonly seq: number;
  /** The timestamp the value was put with. */
  readonly timestamp: number;
  /** The key's records. */
  readonly head: KeyHead;
  /**
   * Where the store key (`key | start int64 | seqnum int32`, from `keyAt`) and the value's bytes
   * (from `valueAt`) lie: in a slab shared with other records, the store's own copy.
   */
  readonly data: Uint8Array;
  readonly keyAt: number;
  readonly valueAt: number;
  readonly valueLength: number;
  /** The key's records before and after this one, in store-key order. */
  older: JoinSlot | undefined;
  newer: JoinSlot | undefined;
  /** False once removed (deleted, replaced or expired): the segment lists skip it. */
  live: boolean;
}

/**
 * The records of one key: its newest, linked to the older ones. A key's head stays when its last
 * record goes (keys recur: no map entry made and dropped per record), until empty heads outnumber
 * the others and are swept.
 */
export interface KeyHead {
  /** The key's bytes as latin1. */
  readonly id: string;
  newest: JoinSlot | undefined;
  /** Set when swept from the store: a holder looks the key up again. */
  swept: boolean;
}

/** Empty key heads kept at least (then up to twice the keys with records). */
const EMPTY_HEADS_MIN = 10_000;

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice;

const NO_SLOTS: readonly JoinSlot[] = [];

/** Whether slot `a` comes before slot `b` in store-key order. */
function before(a: JoinSlot, b: JoinSlot): boolean {
  return a.start < b.start || (a.start === b.start && a.seq < b.seq);
}

/** A view of `length` bytes of `data` from `at` (no species lookup, as `subarray` does). */
function view(data: Uint8Array, at: number, length: number): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset + at, length);
}

/** The store key of a slot, as a view of its slab. */
export function storeKeyOf(slot: JoinSlot): Uint8Array {
  return view(slot.data, slot.keyAt, slot.valueAt - slot.keyAt);
}

/** The value's bytes of a slot, as a view of its slab. */
export function rawOf(slot: JoinSlot): Uint8Array {
  return view(slot.data, slot.valueAt, slot.valueLength);
}

/**
 * Records are copied into slabs of this size (one ArrayBuffer for hundreds of records instead of
 * two typed arrays each); a record larger than {@link SLAB_RECORD_MAX} gets its own. A slab lives
 * while one of its records does: records expire in about the order they came, and slabs with them.
 */
const SLAB_BYTES = 64 * 1024;
const SLAB_RECORD_MAX = 4 * 1024;

/**
 * The innermost store of a join's window store: per key (its bytes), the newest record, linked to
 * the key's older records in store-key order (a put after the newest is an append, a fetch walks
 * back from the newest). Under a persistent (LevelDB) store it writes through to it, and on first
 * use takes in what that store loaded. Kept in memory otherwise: what the runtime restores from the
 * changelog goes straight into the index.
 */
export class JoinWindowBytesStore implements BytesStore {
  readonly name: string;
  readonly persistent: boolean;
  readonly #inner: BytesStore | undefined;
  readonly #segmentMs: number;
  readonly #heads = new Map<string, KeyHead>();
  #emptyHeads = 0;
  /** The slots put in each segment (start / segment interval), so expiry visits whole segments. */
  readonly #segments = new Map<number, JoinSlot[]>();
  #lastSegment = Number.NaN;
  #lastList: JoinSlot[] | undefined;
  #count = 0;
  #indexed: boolean;
  #slab = new Uint8Array(0);
  #slabUsed = 0;

  constructor(name: string, persistent: boolean, inner: BytesStore | undefined, segmentMs: number) {
    this.name = name;
    this.persistent = persistent;
    this.#inner = inner;
    this.#segmentMs = segmentMs;
    this.#indexed = inner === undefined;
  }

  /** Takes in what the store below holds (a LevelDB store loads its data before the first use). */
  ensureIndexed(): void {
    if (this.#indexed) return;
    this.#indexed = true;
    const inner = this.#inner!;
    if (inner.approximateNumEntries() === 0) return;
    for (const e of inner.range(null, null)) this.#index(this.#slotOf(e.key.bytes, e.value));
  }

  /**
   * Room for `length` bytes: the slab to write them in, at `this.at`. The caller writes them before
   * asking again.
   */
  allocate(length: number): Uint8Array {
    if (length > SLAB_RECORD_MAX) {
      this.at = 0;
      return new Uint8Array(length);
    }
    if (this.#slabUsed + length > this.#slab.length) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#slabUsed = 0;
    }
    this.at = this.#slabUsed;
    this.#slabUsed += length;
    return this.#slab;
  }

  /** Where the last {@link allocate} gave room. */
  at = 0;

  /** The head of a key's records (by the key's bytes as latin1), made if the key has none. */
  head(id: string): KeyHead {
    let head = this.#heads.get(id);
    if (head === undefined) {
      head = { id, newest: undefined, swept: false };
      this.#heads.set(id, head);
      this.#emptyHeads++;
    }
    return head;
  }

  /** The newest start held (MIN_SAFE_INTEGER when empty): a window store's observed time after a restart. */
  maxStart(): number {
    this.ensureIndexed();
    let max = Number.MIN_SAFE_INTEGER;
    for (const head of this.#heads.values())
      if (head.newest !== undefined && head.newest.start > max) max = head.newest.start;
    return max;
  }

  /** The head of a key's records, if it has one. */
  findHead(id: string): KeyHead | undefined {
    return this.#heads.get(id);
  }

  /**
   * The records of one key starting from `from` to `to` (inclusive), in
   * store-key order.
   */
  fetch(head: KeyHead, from: number, to: number): readonly JoinSlot[] {
    let s = head.newest;
    while (s !== undefined && s.start > to) s = s.older;
    if (s === undefined || s.start < from) return NO_SLOTS;
    const older = s.older;
    if (older === undefined || older.start < from) return [s];
    const out: JoinSlot[] = [];
    for (; s !== undefined && s.start >= from; s = s.older) out.push(s);
    return out.reverse();
  }

  /** Adds a record put through the typed store, writing it through to the store below. */
  add(slot: JoinSlot): void {
    this.#index(slot);
    const inner = this.#inner;
    if (inner !== undefined) inner.put(new Bytes(storeKeyOf(slot)), timestampedBytes(slot.timestamp, rawOf(slot)));
  }

  #index(slot: JoinSlot): void {
    const head = slot.head;
    let newer: JoinSlot | undefined;
    let s = head.newest;
    while (s !== undefined && before(slot, s)) {
      newer = s;
      s = s.older;
    }
    if (s !== undefined && s.start === slot.start && s.seq === slot.seq) {
      // The same store key again (a restore, a seqnum starting over after a restart): replaced.
      this.#unlink(s);
      this.#index(slot);
      return;
    }
    slot.older = s;
    slot.newer = newer;
    if (s !== undefined) s.newer = slot;
    if (newer !== undefined) newer.older = slot;
    else {
      if (head.newest === undefined) this.#emptyHeads--;
      head.newest = slot;
    }
    this.#count++;
    const segment = Math.floor(slot.start / this.#segmentMs);
    // Records come in time order mostly: the last segment's list is at hand.
    let list = segment === this.#lastSegment ? this.#lastList : this.#segments.get(segment);
    if (list === undefined) {
      list = [];
      this.#segments.set(segment, list);
    }
    this.#lastSegment = segment;
    this.#lastList = list;
    list.push(slot);
  }

  /** Takes a record out of its key's list. */
  #unlink(slot: JoinSlot): void {
    const { older, newer } = slot;
    if (older !== undefined) older.newer = newer;
    if (newer !== undefined) newer.older = older;
    else {
      slot.head.newest = older;
      if (older === undefined) this.#emptyHeads++;
    }
    slot.older = undefined;
    slot.newer = undefined;
    slot.live = false;
    this.#count--;
  }

  #find(bytes: Uint8Array): JoinSlot | undefined {
    const n = bytes.length - 12;
    if (n < 0) return undefined;
    const start = readInt64(bytes, n);
    const seq = readUint32(bytes, n + 8);
    for (let s = this.#heads.get(latin1Slice.call(bytes, 0, n))?.newest; s !== undefined; s = s.older)
      if (s.start === start && s.seq === seq) return s;
    return undefined;
  }

  get(key: Bytes): Uint8Array | null {
    this.ensureIndexed();
    const s = this.#find(key.bytes);
    return s === undefined ? null : timestampedBytes(s.timestamp, rawOf(s));
  }

  /** A write of bytes (a restore from the changelog): into the index, and through to the store below. */
  put(key: Bytes, value: Uint8Array | null): void {
    this.ensureIndexed();
    const bytes = key.bytes;
    if (value === null) {
      const s = this.#find(bytes);
      if (s !== undefined) this.#unlink(s);
    } else {
      if (bytes.length < 12 || value.length < 8) return;
      this.#index(this.#slotOf(bytes, value));
    }
    this.#inner?.put(key, value);
  }

  /** A slot from a store key and a value in `timestamp | value` layout (a restore, a LevelDB load), copied in. */
  #slotOf(storeKey: Uint8Array, value: Uint8Array): JoinSlot {
    const n = storeKey.length - 12;
    const valueLength = value.length - 8;
    const data = this.allocate(storeKey.length + valueLength);
    const keyAt = this.at;
    data.set(storeKey, keyAt);
    data.set(value.subarray(8), keyAt + storeKey.length);
    return {
      start: readInt64(storeKey, n),
      seq: readUint32(storeKey, n + 8),
      timestamp: readInt64(value, 0),
      head: this.head(latin1Slice.call(storeKey, 0, n)),
      data,
      keyAt,
      valueAt: keyAt + storeKey.length,
      valueLength,
      older: undefined,
      newer: undefined,
      live: true,
    };
  }

  range(from: Bytes | null, to: Bytes | null): BytesEntry[] {
    this.ensureIndexed();
    const fromId = from === null ? null : from.id;
    const toId = to === null ? null : to.id;
    const out: BytesEntry[] = [];
    for (const head of this.#heads.values()) {
      for (let s = head.newest; s !== undefined; s = s.older) {
        const key = new Bytes(new Uint8Array(storeKeyOf(s)));
        const id = key.id;
        if ((fromId !== null && id < fromId) || (toId !== null && id > toId)) continue;
        out.push({ key, value: timestampedBytes(s.timestamp, rawOf(s)) });
      }
    }
    out.sort((a, b) => (a.key.id < b.key.id ? -1 : a.key.id > b.key.id ? 1 : 0));
    return out;
  }

  /**
   * Removes every record starting at or before `upTo` that was put in a segment reaching that far
   * (the segments wholly behind it and the one it falls in): local cleanup, not logged, as the
   * generic window store expires.
   */
  expire(upTo: number): void {
    const inner = this.#inner;
    for (const [segment, list] of this.#segments) {
      if (segment * this.#segmentMs > upTo) continue;
      const whole = (segment + 1) * this.#segmentMs - 1 <= upTo;
      let kept = 0;
      for (let i = 0; i < list.length; i++) {
        const s = list[i]!;
        if (!s.live) continue;
        if (!whole && s.start > upTo) {
          list[kept++] = s;
          continue;
        }
        this.#unlink(s);
        inner?.put(new Bytes(storeKeyOf(s)), null);
      }
      if (kept === 0) {
        this.#segments.delete(segment);
        if (segment === this.#lastSegment) this.#lastList = undefined;
      } else list.length = kept;
    }
    const empty = this.#emptyHeads;
    if (empty > EMPTY_HEADS_MIN && empty > 2 * (this.#heads.size - empty)) {
      for (const [id, head] of this.#heads) {
        if (head.newest !== undefined) continue;
        head.swept = true;
        this.#heads.delete(id);
      }
      this.#emptyHeads = 0;
    }
  }

  approximateNumEntries(): number {
    this.ensureIndexed();
    return this.#count;
  }

  flush(): void {
    this.#inner?.flush();
  }

  close(): void | Promise<void> {
    return this.#inner?.close();
  }
}

/** {@link JoinWindowBytesStore} over a LevelDB store: its checkpoint and pending writes are the runtime's. */
class CheckpointedJoinWindowBytesStore extends JoinWindowBytesStore implements CheckpointedBytesStore {
  readonly #level: CheckpointedBytesStore;

  constructor(name: string, level: CheckpointedBytesStore, segmentMs: number) {
    super(name, level.persistent, level, segmentMs);
    this.#level = level;
  }

  get checkpoint(): number | undefined {
    return this.#level.checkpoint;
  }

  get ready(): Promise<void> | undefined {
    return this.#level.ready;
  }

  takePending(): unknown[] {
    return this.#level.takePending();
  }

  commit(changelogOffset: number, pending?: unknown[]): void | Promise<void> {
    return this.#level.commit(changelogOffset, pending);
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** Copies `from` into `to` at `at`: short ones byte by byte (a `set` call costs more than a key's copy). */
function copy(from: Uint8Array, to: Uint8Array, at: number): void {
  const n = from.length;
  if (n > 32) {
    to.set(from, at);
    return;
  }
  for (let i = 0; i < n; i++) to[at + i] = from[i]!;
}

/** Writes `key | start int64 | seqnum int32` into `out` at `at`. */
function writeStoreKey(out: Uint8Array, at: number, key: Uint8Array, start: number, seq: number): void {
  const n = at + key.length;
  copy(key, out, at);
  writeInt64(out, n, start);
  out[n + 8] = seq >>> 24;
  out[n + 9] = seq >>> 16;
  out[n + 10] = seq >>> 8;
  out[n + 11] = seq;
}

/** Keys of primitive types whose bytes and id are remembered (records of a key come again and again). */
const KEYS_MAX = 100_000;

interface KeyInfo {
  bytes: Uint8Array;
  id: string;
  /** The key's records in the store, once it has had some (looked up again once swept). */
  head: KeyHead | undefined;
}

/**
 * The typed join window store: what the join's processors put and fetch, and the read-only window
 * store interface for interactive queries. Every put is a new window (duplicates kept, seqnum in
 * the key); a null value is not stored. A window starting at or before the newest start minus the
 * retention is expired: not returned, not accepted, and removed whenever the newest start enters
 * a new segment of half the retention.
 */
export class JoinWindowStore<K, V> implements WindowStore<K, V> {
  readonly #bytes: JoinWindowBytesStore;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  readonly #topic: string;
  readonly #changelog: ((key: Uint8Array, value: Uint8Array | null, timestamp: number) => void) | undefined;
  readonly #timestamp: () => number;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates = true;
  readonly #segmentMs: number;
  #observed: number | undefined;
  #seq = 0;
  readonly #keys = new Map<unknown, KeyInfo>();
  /** `expired`: writes refused because their window was past retention. */
  readonly metrics = { puts: 0, fetches: 0, expired: 0, droppedRecords: 0 };

  constructor(
    bytes: JoinWindowBytesStore,
    serdes: { key: Serde<K>; value: Serde<V>; topic: string },
    options: {
      retentionMs: number;
      windowSizeMs: number;
      segmentMs: number;
      changelog: ((key: Uint8Array, value: Uint8Array | null, timestamp: number) => void) | undefined;
      timestamp: () => number;
    },
  ) {
    this.#bytes = bytes;
    this.#keySerde = fastSerde(serdes.key);
    this.#valueSerde = fastSerde(serdes.value);
    this.#topic = serdes.topic;
    this.#changelog = options.changelog;
    this.#timestamp = options.timestamp;
    this.retentionMs = options.retentionMs;
    this.windowSizeMs = options.windowSizeMs;
    this.#segmentMs = options.segmentMs;
  }

  get name(): string {
    return this.#bytes.name;
  }

  get persistent(): boolean {
    return this.#bytes.persistent;
  }

  /** The bytes store, for the runtime (flush, close). */
  get inner(): BytesStore {
    return this.#bytes;
  }

  /** A join store has no cache: every put is logged at once. */
  setFlushListener(): boolean {
    return false;
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.putWithTimestamp(key, value, windowStart, this.#timestamp());
  }

  /** Keeps `value` as a new window of `key` starting at `windowStart`, stamped `timestamp`. */
  putWithTimestamp(key: K, value: V | null, windowStart: number, timestamp: number): void {
    this.metrics.puts++;
    const observed = this.#observedTime();
    if (windowStart > observed) {
      const segmentBefore = Math.floor(observed / this.#segmentMs);
      this.#observed = windowStart;
      if (Math.floor(windowStart / this.#segmentMs) !== segmentBefore)
        this.#bytes.expire(windowStart - this.retentionMs);
    }
    if (windowStart <= this.#observed! - this.retentionMs) {
      this.metrics.expired++;
      return;
    }
    if (value === null) return;
    const seq = ++this.#seq >>> 0;
    const serialized = this.#valueSerde.serialize(this.#topic, value);
    const info = this.#key(key);
    const keyLength = info.bytes.length + 12;
    if (serialized === null) {
      // Nothing to keep; the changelog gets the tombstone a generic store's delete would send.
      const storeKey = new Uint8Array(keyLength);
      writeStoreKey(storeKey, 0, info.bytes, windowStart, seq);
      this.#changelog?.(storeKey, null, this.#timestamp());
      return;
    }
    // The store's own copy, in a slab: the serialized bytes may be a view of a batch read from the log.
    const bytes = this.#bytes;
    const data = bytes.allocate(keyLength + serialized.length);
    const keyAt = bytes.at;
    writeStoreKey(data, keyAt, info.bytes, windowStart, seq);
    copy(serialized, data, keyAt + keyLength);
    const slot: JoinSlot = {
      start: windowStart,
      seq,
      timestamp,
      head: this.#head(info),
      data,
      keyAt,
      valueAt: keyAt + keyLength,
      valueLength: serialized.length,
      older: undefined,
      newer: undefined,
      live: true,
    };
    bytes.add(slot);
    // The serialized bytes go to the changelog as a sink's do (the collector holds them until the commit).
    this.#changelog?.(storeKeyOf(slot), serialized, timestamp);
  }

  /**
   * The records of `key` starting between `from` and `to` (inclusive), in store-key order, without
   * expired ones.
   */
  fetchSlots(key: K, from: number, to: number): readonly JoinSlot[] {
    this.metrics.fetches++;
    // First: after a restart the index is made from what the store below loaded.
    const expiredUpTo = this.#observedTime() - this.retentionMs;
    const head = this.#findHead(this.#key(key));
    return head === undefined ? NO_SLOTS : this.#bytes.fetch(head, Math.max(from, expiredUpTo + 1), to);
  }

  /**
   * The oldest record of `key` starting between `from` and `to` (inclusive) and not expired; the
   * others follow through `newer` while their start is at most `to`. Walk them before the next put.
   */
  firstSlot(key: K, from: number, to: number): JoinSlot | undefined {
    this.metrics.fetches++;
    const low = Math.max(from, this.#observedTime() - this.retentionMs + 1);
    const head = this.#findHead(this.#key(key));
    if (head === undefined) return undefined;
    let s = head.newest;
    while (s !== undefined && s.start > to) s = s.older;
    let first: JoinSlot | undefined;
    for (; s !== undefined && s.start >= low; s = s.older) first = s;
    return first;
  }

  /** The value of a slot this store handed out. */
  valueOf(slot: JoinSlot): V {
    return this.#valueSerde.deserialize(this.#topic, rawOf(slot)) as V;
  }

  fetch(key: K, windowStart: number): V | null;
  fetch(key: K, from: number, to: number): KeyValue<number, V>[];
  fetch(key: K, from: number, to?: number): V | null | KeyValue<number, V>[] {
    if (to === undefined) return this.fetchWithTimestamp(key, from)?.value ?? null;
    return this.fetchSlots(key, Math.max(from, 0), Math.max(to, 0))
      .filter((s) => s.start >= from && s.start <= to)
      .map((s) => ({ key: s.start, value: this.valueOf(s) }));
  }

  /** The value and timestamp of the window of `key` starting at `windowStart` with seqnum 0 (none in a join store). */
  fetchWithTimestamp(key: K, windowStart: number): ValueAndTimestamp<V> | null {
    this.metrics.fetches++;
    this.#observedTime();
    const head = this.#findHead(this.#key(key));
    for (const s of head === undefined ? NO_SLOTS : this.#bytes.fetch(head, windowStart, windowStart))
      if (s.seq === 0 && !this.#isExpired(s.start)) return { value: this.valueOf(s), timestamp: s.timestamp };
    return null;
  }

  /** The key's windows starting between `from` and `to` with their values and timestamps, by start. */
  fetchWithTimestamps(key: K, from: number, to: number): { start: number; value: ValueAndTimestamp<V> }[] {
    return this.fetchSlots(key, Math.max(from, 0), Math.max(to, 0))
      .filter((s) => s.start >= from && s.start <= to)
      .map((s) => ({ start: s.start, value: { value: this.valueOf(s), timestamp: s.timestamp } }));
  }

  backwardFetch(key: K, from: number, to: number): KeyValue<number, V>[] {
    return this.fetch(key, from, to).reverse();
  }

  fetchAll(from: number, to: number): KeyValue<Windowed<K>, V>[] {
    this.metrics.fetches++;
    const out: KeyValue<Windowed<K>, V>[] = [];
    for (const e of this.#bytes.range(null, null)) {
      const b = e.key.bytes;
      const start = readInt64(b, b.length - 12);
      if (start < from || start > to || this.#isExpired(start)) continue;
      out.push({
        key: {
          key: this.#keySerde.deserialize(this.#topic, b.subarray(0, b.length - 12)) as K,
          window: { start, end: start + this.windowSizeMs },
        },
        value: this.#valueSerde.deserialize(this.#topic, e.value.subarray(8)) as V,
      });
    }
    // By start, then by store key (the range came in store-key order: the sort keeps it per start).
    return out.sort((a, b) => a.key.window.start - b.key.window.start);
  }

  backwardFetchAll(from: number, to: number): KeyValue<Windowed<K>, V>[] {
    return this.fetchAll(from, to).reverse();
  }

  all(): KeyValue<Windowed<K>, V>[] {
    return this.fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** @internal Whether a window starting at `start` is past retention. */
  isExpired(start: number): boolean {
    return this.#isExpired(start);
  }

  #isExpired(start: number): boolean {
    return start <= this.#observedTime() - this.retentionMs;
  }

  #observedTime(): number {
    if (this.#observed === undefined) {
      // After a restart or a restore the newest start is whatever the store holds.
      this.#bytes.ensureIndexed();
      this.#observed = this.#bytes.maxStart();
    }
    return this.#observed;
  }

  /** The key's head, made if it has none (a put). */
  #head(info: KeyInfo): KeyHead {
    let head = info.head;
    if (head === undefined || head.swept) head = info.head = this.#bytes.head(info.id);
    return head;
  }

  /** The key's head if it has one (a fetch makes none: keys only fetched would pile up). */
  #findHead(info: KeyInfo): KeyHead | undefined {
    let head = info.head;
    if (head === undefined || head.swept) head = info.head = this.#bytes.findHead(info.id);
    return head;
  }

  #key(key: K): KeyInfo {
    const primitive = typeof key === 'string' || typeof key === 'number';
    if (primitive) {
      const known = this.#keys.get(key);
      if (known !== undefined) return known;
    }
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: key must not be null`);
    const bytes = this.#keySerde.serialize(this.#topic, key);
    if (bytes === null) throw new TypeError(`store ${this.name}: key serialized to null`);
    const info: KeyInfo = { bytes, id: latin1Slice.call(bytes, 0, bytes.length), head: undefined };
    if (primitive) {
      if (this.#keys.size >= KEYS_MAX) this.#keys.clear();
      this.#keys.set(key, info);
    }
    return info;
  }
}

/**
 * Describes a join's window store so each task can build its own: a window store supplier's
 * name, retention and bytes (in memory or LevelDB), always keeping duplicates, never cached, logged
 * unless turned off; its changelog is configured as the generic window store's.
 */
export class JoinWindowStoreBuilder<K, V> extends StoreBuilderBase<K, V, WindowBytesStoreSupplier> {
  /** A `TopologyError` for a supplier that does not keep duplicates: a join keeps every record of a key. */
  constructor(supplier: WindowBytesStoreSupplier, keySerde?: Serde<K>, valueSerde?: Serde<V>) {
    if (!supplier.retainDuplicates)
      throw new TopologyError(`join store ${supplier.name}: a join's window store keeps duplicates`);
    super(supplier, keySerde, valueSerde, false);
  }

  /** As the generic window store's: compacted and deleted, kept a day past the store's retention. */
  override get changelogConfig(): Record<string, string | number> {
    return windowedChangelogConfig(this.supplier.retentionMs);
  }

  /** The join store of one task over the supplier's bytes (in memory, LevelDB, or LevelDB checkpointed), logged unless turned off. */
  build(env: StoreEnv): BuiltStore {
    const [keySerde, valueSerde] = storeSerdes(this.name, this.keySerde, this.valueSerde, env);
    // As the generic window store: expiry once per segment of half the retention.
    const segmentMs = Math.max(Math.floor(this.supplier.retentionMs / 2), 1);
    const below = this.supplier.bytes.get(env);
    const bytes =
      below instanceof InMemoryBytesStore
        ? new JoinWindowBytesStore(this.name, below.persistent, undefined, segmentMs)
        : isCheckpointed(below)
          ? new CheckpointedJoinWindowBytesStore(this.name, below, segmentMs)
          : new JoinWindowBytesStore(this.name, below.persistent, below, segmentMs);
    const changelogTopic = this.changelogTopic(env);
    const changelog =
      changelogTopic === undefined
        ? undefined
        : (key: Uint8Array, value: Uint8Array | null, ts: number) => env.changelog(changelogTopic, key, value, ts);
    const store = new JoinWindowStore<K, V>(
      bytes,
      { key: keySerde, value: valueSerde, topic: changelogTopic ?? this.name },
      {
        retentionMs: this.supplier.retentionMs,
        windowSizeMs: this.supplier.windowSizeMs,
        segmentMs,
        changelog,
        timestamp: env.timestamp,
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
