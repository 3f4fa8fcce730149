import { type Serde, Serdes } from '../../serde/index.ts';
import { Bytes, type BytesStore } from './bytes.ts';
import {
  fastSerde,
  isFastString,
  longOfTimestamped,
  storeKeyOf,
  timestampedLongBytes,
  writeTimestampedLong,
} from '../internal/fast-serde.ts';
import { CachingBytesStore } from './caching-store.ts';
import type { KeyValue, KeyValueStore } from './key-value-store.ts';
import { rawValueOf, timestampedBytes, timestampOf, type ValueAndTimestamp } from './value-and-timestamp.ts';

/**
 * The outer layer, and the only one that knows serdes: typed keys and values in, bytes to the
 * layers below. It also counts operations (Kafka's metered store records their latency).
 */
export class MeteredKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly #inner: BytesStore;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  /** The topic name serdes are called with: the changelog's. */
  readonly #topic: string;
  readonly metrics = { gets: 0, puts: 0, deletes: 0 };
  /**
   * Set for a timestamped store (Kafka's `TimestampedKeyValueStore`, under every KTable): the bytes
   * below carry each value's timestamp (`timestampedBytes`), `get`/`range` strip it, and a plain
   * `put` stamps the value with the timestamp of the record being processed.
   */
  readonly #timestamp: (() => number) | undefined;
  /**
   * A timestamped store of LongNumber (every KTable count): values are written and read as their
   * 16 bytes directly (`timestampedLongBytes`), without a view of the value's bytes per read or a
   * copy behind the timestamp per write.
   */
  readonly #stampedLong: boolean;

  constructor(inner: BytesStore, keySerde: Serde<K>, valueSerde: Serde<V>, topic: string, timestamp?: () => number) {
    this.#inner = inner;
    this.#keySerde = fastSerde(keySerde);
    this.#valueSerde = fastSerde(valueSerde);
    this.#topic = topic;
    this.#timestamp = timestamp;
    this.#stampedLong = timestamp !== undefined && valueSerde === (Serdes.LongNumber() as unknown);
    this.#cache = this.#stampedLong && inner instanceof CachingBytesStore ? inner : undefined;
    this.#fastStringKey = isFastString(this.#keySerde as Serde<unknown>);
  }

  /** Keys go through the fast String serde, whose memo may hold a key's bytes (see {@link storeKeyOf}). */
  readonly #fastStringKey: boolean;

  /** The cache right below, for a timestamped long store: its values are updated in place there. */
  readonly #cache: CachingBytesStore | undefined;

  /** Whether values are kept with their timestamps. */
  get timestamped(): boolean {
    return this.#timestamp !== undefined;
  }

  /** The key's value and its timestamp (a plain store answers with timestamp -1, as Kafka's facade). */
  getWithTimestamp(key: K): ValueAndTimestamp<V> | null {
    this.metrics.gets++;
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: key must not be null`);
    return this.#valueAndTimestamp(this.#inner.get(this.#bytes(key)));
  }

  /** @internal The timestamp of the value {@link getStamped} last found: -1 when none, or for a plain store. */
  stampedAt = -1;

  /**
   * @internal `getWithTimestamp` without the `ValueAndTimestamp`: the value, with its timestamp left in
   * `stampedAt`. What an aggregation reads for every record; the object per read showed in its cost.
   */
  getStamped(key: K): V | null {
    this.metrics.gets++;
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: key must not be null`);
    const bytes = this.#inner.get(this.#bytes(key));
    const value = bytes === null ? null : this.#value(bytes);
    this.stampedAt = value === null || this.#timestamp === undefined ? -1 : timestampOf(bytes!);
    return value;
  }

  /** Puts a value with its own timestamp; a null value deletes. */
  putWithTimestamp(key: K, value: V | null, timestamp: number): void {
    this.metrics.puts++;
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: key must not be null`);
    const bytes = this.#bytes(key);
    if (this.#cache !== undefined && value !== null && value !== undefined) {
      const into = this.#cache.writable(bytes, 16);
      if (into !== undefined && writeTimestampedLong(into, value as number, timestamp)) return;
    }
    this.#inner.put(bytes, this.#serialize(value, timestamp));
  }

  /** Every entry with its timestamp, or those with `from` ≤ key ≤ `to`. */
  rangeWithTimestamp(from: K | null, to: K | null): KeyValue<K, ValueAndTimestamp<V>>[] {
    const entries = this.#inner.range(from === null ? null : this.#bytes(from), to === null ? null : this.#bytes(to));
    return entries.map((e) => ({ key: this.#key(e.key.bytes), value: this.#valueAndTimestamp(e.value)! }));
  }

  get name(): string {
    return this.#inner.name;
  }

  get persistent(): boolean {
    return this.#inner.persistent;
  }

  /** The bytes stack under this layer, for the runtime (flush, restore). */
  get inner(): BytesStore {
    return this.#inner;
  }

  /**
   * Forwards cache flushes as typed changes. Returns false when the store has no cache, in which
   * case the caller forwards each update itself.
   */
  setFlushListener(listener: (key: K, newValue: V | null, oldValue: V | null, timestamp: number) => void): boolean {
    if (!(this.#inner instanceof CachingBytesStore)) return false;
    this.#inner.setFlushListener((key, newValue, oldValue, timestamp) => {
      // A timestamped value carries its own timestamp: that is the one the change goes on with.
      const at = this.#timestamp !== undefined && newValue !== null ? timestampOf(newValue) : timestamp;
      listener(this.#key(key.bytes), this.#value(newValue), this.#value(oldValue), at);
    });
    return true;
  }

  get(key: K): V | null {
    this.metrics.gets++;
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: key must not be null`);
    return this.#value(this.#inner.get(this.#bytes(key)));
  }

  put(key: K, value: V | null): void {
    this.metrics.puts++;
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: key must not be null`);
    this.#inner.put(this.#bytes(key), this.#serialize(value, this.#timestamp?.() ?? 0));
  }

  #serialize(value: V | null, timestamp: number): Uint8Array | null {
    if (value === null || value === undefined) return null;
    if (this.#stampedLong) return timestampedLongBytes(value as number, timestamp);
    const raw = this.#valueSerde.serialize(this.#topic, value);
    if (raw === null || this.#timestamp === undefined) return raw;
    return timestampedBytes(timestamp, raw);
  }

  putIfAbsent(key: K, value: V): V | null {
    const existing = this.get(key);
    if (existing === null) this.put(key, value);
    return existing;
  }

  putAll(entries: readonly KeyValue<K, V | null>[]): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  delete(key: K): V | null {
    this.metrics.deletes++;
    const old = this.get(key);
    this.put(key, null);
    return old;
  }

  range(from: K | null, to: K | null): KeyValue<K, V>[] {
    const entries = this.#inner.range(from === null ? null : this.#bytes(from), to === null ? null : this.#bytes(to));
    return entries.map((e) => ({ key: this.#key(e.key.bytes), value: this.#value(e.value) as V }));
  }

  all(): KeyValue<K, V>[] {
    return this.range(null, null);
  }

  approximateNumEntries(): number {
    return this.#inner.approximateNumEntries();
  }

  /** Recently used primitive keys and their Bytes (with their ids), so hot keys serialize once. */
  readonly #keyMemo = new Map<unknown, Bytes>();

  /** The last key asked for and its Bytes: an aggregation puts the key it just read. */
  #lastKey: unknown;
  #lastBytes: Bytes | undefined;

  #bytes(key: K): Bytes {
    // The key the String serde just deserialized (an aggregation's, downstream of a repartition
    // topic): its bytes are at hand.
    if (this.#fastStringKey && typeof key === 'string') {
      const known = storeKeyOf(key);
      if (known !== undefined) return known;
    }
    if (key === this.#lastKey && this.#lastBytes !== undefined) return this.#lastBytes;
    const primitive = typeof key === 'string' || typeof key === 'number';
    if (primitive) {
      const memo = this.#keyMemo.get(key);
      if (memo !== undefined) {
        this.#lastKey = key;
        this.#lastBytes = memo;
        return memo;
      }
    }
    const bytes = this.#keySerde.serialize(this.#topic, key);
    if (bytes === null) throw new TypeError(`store ${this.name}: key serialized to null`);
    const out = new Bytes(bytes);
    if (primitive) {
      if (this.#keyMemo.size >= 10_000) this.#keyMemo.clear();
      this.#keyMemo.set(key, out);
      this.#lastKey = key;
      this.#lastBytes = out;
    }
    return out;
  }

  #key(bytes: Uint8Array): K {
    return this.#keySerde.deserialize(this.#topic, bytes) as K;
  }

  #value(bytes: Uint8Array | null): V | null {
    if (bytes === null) return null;
    if (this.#stampedLong) return longOfTimestamped(bytes) as V;
    return this.#valueSerde.deserialize(this.#topic, this.#timestamp === undefined ? bytes : rawValueOf(bytes));
  }

  #valueAndTimestamp(bytes: Uint8Array | null): ValueAndTimestamp<V> | null {
    if (bytes === null) return null;
    const value = this.#value(bytes);
    if (value === null) return null;
    return { value, timestamp: this.#timestamp === undefined ? -1 : timestampOf(bytes) };
  }
}
