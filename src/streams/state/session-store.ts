import { TopologyError } from '../../errors.ts';
import type { Serde } from '../../serde/index.ts';
import { storeSerdes } from './store-serdes.ts';
import { fastSerde } from '../internal/fast-serde.ts';
import type { Windowed } from '../windows.ts';
import { Bytes, type BytesStore } from './bytes.ts';
import { CachingBytesStore } from './caching-store.ts';
import type { KeyValue, StateStore } from './key-value-store.ts';
import { ChangeLoggingBytesStore } from './logging-store.ts';
import type { MeteredKeyValueStore } from './metered-store.ts';
import { StoreBuilderBase, windowedChangelogConfig } from './store-builder.ts';
import type { BuiltStore, KeyValueBytesStoreSupplier, StoreEnv } from './stores.ts';

/**
 * What interactive queries may do with a session store (Kafka's `ReadOnlySessionStore`).
 *
 * @example
 * const sessions = driver.getSessionStore<string, number>('page-views');
 * sessions.fetch('alice'); // [{ key: { key: 'alice', window: { start: 0, end: 40 } }, value: 3 }]
 */
export interface ReadOnlySessionStore<K, V> {
  /** Every session of `key`, by end then start. */
  fetch(key: K): KeyValue<Windowed<K>, V>[];
  /** `fetch` in descending order. */
  backwardFetch(key: K): KeyValue<Windowed<K>, V>[];
  /** Sessions of `key` ending at or after `earliestSessionEndTime` and starting at or before `latestSessionStartTime`. */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValue<Windowed<K>, V>[];
  /** The value of the session of `key` exactly `[start, end]`, or null. */
  fetchSession(key: K, start: number, end: number): V | null;
}

/** A session store a processor writes to (Kafka's `SessionStore`). */
export interface SessionStore<K, V> extends ReadOnlySessionStore<K, V>, StateStore {
  /** Stores the aggregate of a session (its key and window); `null` deletes it. */
  put(session: Windowed<K>, value: V | null): void;
  /** Deletes a session, as when sessions merge. */
  remove(session: Windowed<K>): void;
}

/**
 * The typed session store over a bytes stack. Keys are stored in Kafka's session layout,
 * `key | end int64 | start int64`, so a key's sessions are adjacent and ordered by end. Sessions
 * that end at or before the newest end seen minus the retention are expired: not returned, not
 * accepted, and removed from the innermost store.
 */
export class MeteredSessionStore<K, V> implements SessionStore<K, V> {
  readonly #stack: BytesStore;
  readonly #innermost: BytesStore;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  readonly #topic: string;
  readonly retentionMs: number;
  /**
   * How far behind the newest end a session is removed from the store. In Kafka's time-ordered
   * session store (the one a session aggregation emitting on window close uses), expired sessions
   * are no longer read by key but stay until the span Kafka keeps in a segment (half the retention,
   * at least a minute) has passed too, so that an emit on close, which reads by end time what the
   * store holds, finds every session that closed since the last one.
   */
  readonly #removedAfterMs: number;
  #observed: number | undefined;
  /** `droppedRecords`: late records the session aggregation writing this store dropped. */
  readonly metrics = { puts: 0, fetches: 0, expired: 0, droppedRecords: 0 };

  constructor(
    stack: BytesStore,
    innermost: BytesStore,
    serdes: { key: Serde<K>; value: Serde<V>; topic: string },
    retentionMs: number,
    timeOrdered = false,
  ) {
    this.#stack = stack;
    this.#innermost = innermost;
    this.#keySerde = fastSerde(serdes.key);
    this.#valueSerde = fastSerde(serdes.value);
    this.#topic = serdes.topic;
    this.retentionMs = retentionMs;
    this.#removedAfterMs = timeOrdered ? retentionMs + Math.max(Math.floor(retentionMs / 2), 60_000) + 1 : retentionMs;
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

  /** Stores the aggregate of a session; `null` deletes it. */
  put(session: Windowed<K>, value: V | null): void {
    this.metrics.puts++;
    const end = session.window.end;
    if (end > this.#observedTime()) {
      this.#observed = end;
      this.#expire();
    }
    if (this.#isExpired(end)) {
      this.metrics.expired++;
      return;
    }
    const raw = value === null ? null : this.#valueSerde.serialize(this.#topic, value);
    this.#stack.put(new Bytes(this.#storeKey(this.#keyBytes(session.key), end, session.window.start)), raw);
  }

  /** Deletes a session. */
  remove(session: Windowed<K>): void {
    this.put(session, null);
  }

  /**
   * With a record cache (Kafka's CachingSessionStore): tells `listener` of each session the cache
   * writes through at a flush or an eviction, with its new value (null: removed) and the value the
   * store held before (null: none), stamped with the session's end as Kafka's
   * SessionCacheFlushListener stamps it. A session put and removed again between two flushes is
   * not told (the cache skips it, as Kafka's). Returns false when the store has no cache, in which
   * case the caller forwards each update itself.
   */
  setFlushListener(
    listener: (session: Windowed<K>, newValue: V | null, oldValue: V | null, timestamp: number) => void,
  ): boolean {
    const cache = this.#stack;
    if (!(cache instanceof CachingBytesStore)) return false;
    cache.setFlushListener((key, newValue, oldValue) => {
      const b = key.bytes;
      const end = this.#endOf(b);
      const session = {
        key: this.#keySerde.deserialize(this.#topic, b.subarray(0, b.length - 16)) as K,
        window: { start: this.#startOf(b), end },
      };
      const decode = (v: Uint8Array | null) =>
        v === null ? null : (this.#valueSerde.deserialize(this.#topic, v) as V);
      listener(session, decode(newValue), decode(oldValue), end);
    });
    return true;
  }

  fetchSession(key: K, start: number, end: number): V | null {
    this.metrics.fetches++;
    if (this.#isExpired(end)) return null;
    const bytes = this.#stack.get(new Bytes(this.#storeKey(this.#keyBytes(key), end, start)));
    return bytes === null ? null : (this.#valueSerde.deserialize(this.#topic, bytes) as V);
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValue<Windowed<K>, V>[] {
    this.metrics.fetches++;
    const k = this.#keyBytes(key);
    const lo = new Bytes(this.#storeKey(k, Math.max(earliestSessionEndTime, 0), 0));
    const hi = new Bytes(this.#storeKey(k, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    const out: KeyValue<Windowed<K>, V>[] = [];
    for (const e of this.#stack.range(lo, hi)) {
      const b = e.key.bytes;
      // Keys that merely start with this key's bytes fall in the range too: keep exact matches.
      if (b.length !== k.length + 16 || !k.every((x, i) => b[i] === x)) continue;
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const end = Number(view.getBigInt64(k.length));
      const start = Number(view.getBigInt64(k.length + 8));
      if (end < earliestSessionEndTime || start > latestSessionStartTime || this.#isExpired(end)) continue;
      out.push({
        key: { key, window: { start, end } },
        value: this.#valueSerde.deserialize(this.#topic, e.value) as V,
      });
    }
    return out;
  }

  fetch(key: K): KeyValue<Windowed<K>, V>[] {
    return this.findSessions(key, 0, Number.MAX_SAFE_INTEGER);
  }

  backwardFetch(key: K): KeyValue<Windowed<K>, V>[] {
    return this.fetch(key).reverse();
  }

  #observedTime(): number {
    if (this.#observed === undefined) {
      let max = Number.MIN_SAFE_INTEGER;
      for (const e of this.#innermost.range(null, null)) max = Math.max(max, this.#endOf(e.key.bytes));
      this.#observed = max;
    }
    return this.#observed;
  }

  #isExpired(end: number): boolean {
    return end <= this.#observedTime() - this.retentionMs;
  }

  /** Local cleanup of expired sessions, not logged: the changelog's own retention drops them. */
  #expire(): void {
    const removedUpTo = this.#observedTime() - this.#removedAfterMs;
    for (const e of this.#innermost.range(null, null))
      if (this.#endOf(e.key.bytes) <= removedUpTo) this.#innermost.put(e.key, null);
  }

  /**
   * Every session in the store that ends between `earliestSessionEndTime` and
   * `latestSessionEndTime`, by end, then key bytes, then start (Kafka's `findSessions(long, long)`
   * of its time-ordered store, which an emit on close reads): what the store holds, expired or not.
   */
  findSessionsEndingIn(earliestSessionEndTime: number, latestSessionEndTime: number): KeyValue<Windowed<K>, V>[] {
    this.metrics.fetches++;
    const found: { end: number; start: number; keyId: string; keyBytes: Uint8Array; value: Uint8Array }[] = [];
    for (const e of this.#stack.range(null, null)) {
      const b = e.key.bytes;
      const end = this.#endOf(b);
      if (end < earliestSessionEndTime || end > latestSessionEndTime) continue;
      const keyBytes = b.subarray(0, b.length - 16);
      found.push({ end, start: this.#startOf(b), keyId: e.key.id.slice(0, -16), keyBytes, value: e.value });
    }
    found.sort((a, b) => a.end - b.end || (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : a.start - b.start));
    return found.map((f) => ({
      key: { key: this.#keySerde.deserialize(this.#topic, f.keyBytes) as K, window: { start: f.start, end: f.end } },
      value: this.#valueSerde.deserialize(this.#topic, f.value) as V,
    }));
  }

  #endOf(storeKey: Uint8Array): number {
    return Number(
      new DataView(storeKey.buffer, storeKey.byteOffset, storeKey.byteLength).getBigInt64(storeKey.length - 16),
    );
  }

  #startOf(storeKey: Uint8Array): number {
    return Number(
      new DataView(storeKey.buffer, storeKey.byteOffset, storeKey.byteLength).getBigInt64(storeKey.length - 8),
    );
  }

  #keyBytes(key: K): Uint8Array {
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: key must not be null`);
    const bytes = this.#keySerde.serialize(this.#topic, key);
    if (bytes === null) throw new TypeError(`store ${this.name}: key serialized to null`);
    return bytes;
  }

  #storeKey(key: Uint8Array, end: number, start: number): Uint8Array {
    const out = new Uint8Array(key.length + 16);
    out.set(key, 0);
    const view = new DataView(out.buffer);
    view.setBigInt64(key.length, BigInt(end));
    view.setBigInt64(key.length + 8, BigInt(start));
    return out;
  }
}

/**
 * Describes a session store so each task can build its own (Kafka's `SessionStoreBuilder`); its
 * changelog is `compact,delete`, kept a day past the retention.
 *
 * @example
 * builder.addStateStore(Stores.sessionStoreBuilder(Stores.inMemorySessionStore('sessions', 3_600_000), Serdes.String(), Serdes.LongNumber()));
 */
export class SessionStoreBuilder<K, V> extends StoreBuilderBase<K, V, KeyValueBytesStoreSupplier> {
  readonly retentionMs: number;
  /** Kafka's time-ordered session store, which the DSL picks to emit on window close. */
  readonly timeOrdered: boolean;

  constructor(
    supplier: KeyValueBytesStoreSupplier,
    retentionMs: number,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
    timeOrdered = false,
  ) {
    if (!Number.isSafeInteger(retentionMs) || retentionMs < 0)
      throw new TopologyError(
        `session store ${supplier.name}: retention must be a non-negative integer, got ${retentionMs}`,
      );
    super(supplier, keySerde, valueSerde, false);
    this.retentionMs = retentionMs;
    this.timeOrdered = timeOrdered;
  }

  /** Gives the store a record cache (Kafka's CachingSessionStore): updates of a session collapse until the next commit. */
  withCachingEnabled(): this {
    return this.setCaching(true);
  }

  /** Takes the record cache away again: every update of a session goes downstream and to the changelog at once. */
  withCachingDisabled(): this {
    return this.setCaching(false);
  }

  /** Compacted and deleted, kept a day past the store's retention. */
  override get changelogConfig(): Record<string, string | number> {
    return windowedChangelogConfig(this.retentionMs);
  }

  /** Builds the store of one task (for the runtime). */
  build(env: StoreEnv): BuiltStore {
    const [keySerde, valueSerde] = storeSerdes(this.name, this.keySerde, this.valueSerde, env);
    const bytes = this.supplier.get(env);
    let stack: BytesStore = bytes;
    const changelogTopic = this.changelogTopic(env);
    if (changelogTopic !== undefined)
      stack = new ChangeLoggingBytesStore(
        stack,
        (key, value, ts) => env.changelog(changelogTopic, key, value, ts),
        env.timestamp,
      );
    // Above the changelog, as Kafka stacks it: what a flush writes through is logged once.
    if (this.cachingEnabled && env.cacheBudget !== null)
      stack = new CachingBytesStore(stack, env.cacheBudget, env.timestamp);
    const store = new MeteredSessionStore<K, V>(
      stack,
      bytes,
      { key: keySerde, value: valueSerde, topic: changelogTopic ?? this.name },
      this.retentionMs,
      this.timeOrdered,
    );
    return { store: store as unknown as MeteredKeyValueStore<unknown, unknown>, bytes, changelogTopic };
  }
}
