/**
 * Versioned key-value stores (Kafka's KIP-889 `VersionedKeyValueStore`): every value a key had
 * within the history retention, each valid from its timestamp until the next one's, so a reader
 * can ask what the key was at a given time. Stream-table joins read a versioned table as of the
 * stream record's timestamp (KIP-914), and a versioned table source drops an update older than
 * the key's latest instead of letting it overwrite the latest.
 *
 * Layout: one bytes entry per key holding its versions, newest first, each
 * `timestamp i64 | length i32 (-1 for a tombstone) | value`; the changelog gets each put as Kafka
 * logs one (the plain value, or null, on a record carrying the put's timestamp), and restoring
 * replays the puts.
 */
import { TopologyError } from '../../errors.ts';
import type { Serde } from '../../serde/index.ts';
import { storeSerdes } from './store-serdes.ts';
import { Bytes, type BytesStore } from './bytes.ts';
import { fastSerde } from '../internal/fast-serde.ts';
import type { StateStore } from './key-value-store.ts';
import type { MeteredKeyValueStore } from './metered-store.ts';
import { CHANGELOG_ADDITIONAL_RETENTION_MS, StoreBuilderBase } from './store-builder.ts';
import type { BuiltStore, KeyValueBytesStoreSupplier, StoreEnv } from './stores.ts';
import type { ValueAndTimestamp } from './value-and-timestamp.ts';

/** A value with the time it became valid and, unless it is the latest, the time it stopped being. */
export interface VersionedRecord<V> {
  readonly value: V;
  readonly timestamp: number;
  readonly validTo?: number;
}

/** `put` answers: the put is the latest version (Kafka's `PUT_RETURN_CODE_VALID_TO_UNDEFINED`). */
export const PUT_RETURN_CODE_VALID_TO_UNDEFINED = -1;
/** `put` answers: the put was older than the history retention and was dropped. */
export const PUT_RETURN_CODE_NOT_PUT = Number.MIN_SAFE_INTEGER;

/**
 * Kafka's `VersionedKeyValueStore`.
 *
 * @example
 * const prices = context.getStateStore<VersionedKeyValueStore<string, number>>('prices');
 * prices.put('apple', 3, 1_000);
 * prices.put('apple', 4, 2_000);
 * prices.get('apple', 1_500); // { value: 3, timestamp: 1000, validTo: 2000 }
 */
export interface VersionedKeyValueStore<K, V> extends StateStore {
  /**
   * Adds a version: returns the timestamp until which it is valid (the next newer version's),
   * `PUT_RETURN_CODE_VALID_TO_UNDEFINED` when it is the latest, or `PUT_RETURN_CODE_NOT_PUT` when
   * it is older than the history retention allows. A null value is a tombstone.
   */
  put(key: K, value: V | null, timestamp: number): number;
  /** Puts a tombstone at `timestamp` and returns the version that was valid then. */
  delete(key: K, timestamp: number): VersionedRecord<V> | null;
  /** The latest version, or null when the key has none or its latest is a tombstone. */
  get(key: K): VersionedRecord<V> | null;
  /** The version valid at `asOfTimestamp`; null before the history retention's reach. */
  get(key: K, asOfTimestamp: number): VersionedRecord<V> | null;
}

/** Makes the bytes of one task's versioned store and says how much history it keeps. */
export interface VersionedBytesStoreSupplier {
  readonly name: string;
  readonly historyRetentionMs: number;
  readonly bytes: KeyValueBytesStoreSupplier;
  readonly versioned: true;
}

export function versionedBytesStoreSupplier(
  bytes: KeyValueBytesStoreSupplier,
  historyRetentionMs: number,
): VersionedBytesStoreSupplier {
  if (!Number.isSafeInteger(historyRetentionMs) || historyRetentionMs < 0)
    throw new TopologyError(
      `versioned store ${bytes.name}: history retention must be a non-negative integer, got ${historyRetentionMs}`,
      { store: bytes.name },
    );
  return { name: bytes.name, historyRetentionMs, bytes, versioned: true };
}

export function isVersionedSupplier(s: unknown): s is VersionedBytesStoreSupplier {
  return typeof s === 'object' && s !== null && (s as Partial<VersionedBytesStoreSupplier>).versioned === true;
}

interface Version {
  timestamp: number;
  value: Uint8Array | null;
}

function decodeVersions(data: Uint8Array | null): Version[] {
  if (data === null) return [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Version[] = [];
  let at = 0;
  while (at < data.length) {
    const timestamp = view.getInt32(at) * 0x1_0000_0000 + view.getUint32(at + 4);
    const length = view.getInt32(at + 8);
    at += 12;
    out.push({ timestamp, value: length < 0 ? null : data.slice(at, at + length) });
    if (length > 0) at += length;
  }
  return out;
}

function encodeVersions(versions: Version[]): Uint8Array {
  let size = 0;
  for (const v of versions) size += 12 + (v.value?.length ?? 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const v of versions) {
    const high = Math.floor(v.timestamp / 0x1_0000_0000);
    view.setInt32(at, high);
    view.setUint32(at + 4, v.timestamp - high * 0x1_0000_0000);
    view.setInt32(at + 8, v.value === null ? -1 : v.value.length);
    at += 12;
    if (v.value !== null) {
      out.set(v.value, at);
      at += v.value.length;
    }
  }
  return out;
}

/**
 * The versions of one key with `value` put at `timestamp` (replacing a version of the same
 * timestamp), and what the put answers; versions no reader can reach any more are dropped.
 */
function putVersion(
  versions: Version[],
  value: Uint8Array | null,
  timestamp: number,
  horizon: number,
): { versions: Version[]; validTo: number } {
  let i = 0;
  while (i < versions.length && versions[i]!.timestamp > timestamp) i++;
  const validTo = i === 0 ? PUT_RETURN_CODE_VALID_TO_UNDEFINED : versions[i - 1]!.timestamp;
  const next = versions.slice();
  if (i < next.length && next[i]!.timestamp === timestamp) next[i] = { timestamp, value };
  else next.splice(i, 0, { timestamp, value });
  // A version is needed while it is valid at some time at or after the horizon.
  let keep = next.length;
  for (let j = 1; j < next.length; j++) {
    if (next[j - 1]!.timestamp <= horizon) {
      keep = j;
      break;
    }
  }
  return { versions: next.slice(0, keep), validTo };
}

/** A restore's put into a store (no changelog write); set by MeteredVersionedKeyValueStore's static block. */
let applyPut: <K, V>(
  store: MeteredVersionedKeyValueStore<K, V>,
  key: Bytes,
  value: Uint8Array | null,
  timestamp: number,
) => number;

/**
 * The typed outer layer of a versioned store; also answers `getWithTimestamp` / `putWithTimestamp`
 * so a table source can keep its table in it.
 */
export class MeteredVersionedKeyValueStore<K, V> implements VersionedKeyValueStore<K, V> {
  readonly #bytes: BytesStore;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  readonly #topic: string;
  readonly #retention: number;
  readonly #changelog: ((key: Uint8Array, value: Uint8Array | null, timestamp: number) => void) | undefined;
  /** The largest timestamp put so far (Kafka's observed stream time of the store). */
  #observed = Number.MIN_SAFE_INTEGER;
  readonly versioned = true;

  constructor(
    bytes: BytesStore,
    serdes: { key: Serde<K>; value: Serde<V>; topic: string },
    historyRetentionMs: number,
    changelog: ((key: Uint8Array, value: Uint8Array | null, timestamp: number) => void) | undefined,
  ) {
    this.#bytes = bytes;
    this.#keySerde = fastSerde(serdes.key);
    this.#valueSerde = fastSerde(serdes.value);
    this.#topic = serdes.topic;
    this.#retention = historyRetentionMs;
    this.#changelog = changelog;
  }

  get name(): string {
    return this.#bytes.name;
  }

  get persistent(): boolean {
    return this.#bytes.persistent;
  }

  /** @internal For the runtime: flush and close go to the bytes store. */
  get inner(): BytesStore {
    return this.#bytes;
  }

  get historyRetentionMs(): number {
    return this.#retention;
  }

  put(key: K, value: V | null, timestamp: number): number {
    const k = this.#key(key);
    const raw = value === null || value === undefined ? null : this.#valueSerde.serialize(this.#topic, value);
    const code = this.#applyPut(k, raw, timestamp);
    if (code !== PUT_RETURN_CODE_NOT_PUT) this.#changelog?.(k.bytes, raw, timestamp);
    return code;
  }

  static {
    applyPut = (store, key, value, timestamp) => store.#applyPut(key, value, timestamp);
  }

  /** A put in bytes, without logging it: what a restore replays. */
  #applyPut(key: Bytes, value: Uint8Array | null, timestamp: number): number {
    if (timestamp < this.#observed - this.#retention) return PUT_RETURN_CODE_NOT_PUT;
    if (timestamp > this.#observed) this.#observed = timestamp;
    const { versions, validTo } = putVersion(
      decodeVersions(this.#bytes.get(key)),
      value,
      timestamp,
      this.#observed - this.#retention,
    );
    this.#bytes.put(key, encodeVersions(versions));
    return validTo;
  }

  delete(key: K, timestamp: number): VersionedRecord<V> | null {
    const before = this.get(key, timestamp);
    this.put(key, null, timestamp);
    return before;
  }

  get(key: K, asOfTimestamp?: number): VersionedRecord<V> | null {
    const versions = decodeVersions(this.#bytes.get(this.#key(key)));
    if (asOfTimestamp === undefined) {
      const latest = versions[0];
      return latest === undefined || latest.value === null ? null : this.#record(latest, undefined);
    }
    if (asOfTimestamp < this.#observed - this.#retention) return null;
    for (let i = 0; i < versions.length; i++) {
      const v = versions[i]!;
      if (v.timestamp > asOfTimestamp) continue;
      return v.value === null ? null : this.#record(v, i === 0 ? undefined : versions[i - 1]!.timestamp);
    }
    return null;
  }

  /**
   * The versions of `key` valid at some time from `fromTime` to `toTime` (inclusive; null leaves a
   * side open), newest first unless `ascending` (Kafka's `MultiVersionedKeyQuery`): each with its
   * `validTo` unless it is the latest. A version is in range when it began at or before `toTime`
   * and was still valid after `fromTime`; tombstones are not versions. As `get` at a time, history
   * ends at the retention behind the newest timestamp put: a version that stopped being valid
   * before it is not answered (the latest never expires).
   */
  versions(key: K, fromTime: number | null, toTime: number | null, ascending = false): VersionedRecord<V>[] {
    const versions = decodeVersions(this.#bytes.get(this.#key(key)));
    const after = Math.max(fromTime ?? Number.MIN_SAFE_INTEGER, this.#observed - this.#retention);
    const out: VersionedRecord<V>[] = [];
    for (let i = 0; i < versions.length; i++) {
      const v = versions[i]!;
      const validTo = i === 0 ? undefined : versions[i - 1]!.timestamp;
      if (v.value === null || (toTime !== null && v.timestamp > toTime)) continue;
      if (validTo !== undefined && validTo <= after) break;
      out.push(this.#record(v, validTo));
    }
    return ascending ? out.reverse() : out;
  }

  /** The latest value with its timestamp, as a timestamped store answers (for table sources and getters). */
  getWithTimestamp(key: K): ValueAndTimestamp<V> | null {
    const r = this.get(key);
    return r === null ? null : { value: r.value, timestamp: r.timestamp };
  }

  /** The value valid at `asOfTimestamp`, with its timestamp. */
  getAsOf(key: K, asOfTimestamp: number): ValueAndTimestamp<V> | null {
    const r = this.get(key, asOfTimestamp);
    return r === null ? null : { value: r.value, timestamp: r.timestamp };
  }

  /** `put`, under the name timestamped stores use (so a table source can keep its table here). */
  putWithTimestamp(key: K, value: V | null, timestamp: number): number {
    return this.put(key, value, timestamp);
  }

  /** A versioned store caches nothing: changes are forwarded as they are made. */
  setFlushListener(): boolean {
    return false;
  }

  #key(key: K): Bytes {
    if (key === null || key === undefined) throw new TypeError(`store ${this.name}: key must not be null`);
    const bytes = this.#keySerde.serialize(this.#topic, key);
    if (bytes === null) throw new TypeError(`store ${this.name}: key serialized to null`);
    return new Bytes(bytes);
  }

  #record(v: Version, validTo: number | undefined): VersionedRecord<V> {
    const value = this.#valueSerde.deserialize(this.#topic, v.value!) as V;
    return validTo === undefined ? { value, timestamp: v.timestamp } : { value, timestamp: v.timestamp, validTo };
  }
}

/**
 * Describes a versioned store for each task to build (Kafka's `versionedKeyValueStoreBuilder`).
 * Versioned stores never cache.
 *
 * @example
 * builder.addStateStore(
 *   Stores.versionedKeyValueStoreBuilder(Stores.persistentVersionedKeyValueStore('prices', 3_600_000), Serdes.String(), Serdes.Double()),
 * );
 */
export class VersionedKeyValueStoreBuilder<K, V> extends StoreBuilderBase<K, V, VersionedBytesStoreSupplier> {
  readonly versioned = true;

  constructor(supplier: VersionedBytesStoreSupplier, keySerde?: Serde<K>, valueSerde?: Serde<V>) {
    super(supplier, keySerde, valueSerde, false);
  }

  /** As Kafka configures a versioned store's changelog: compacted, but not before the history is out. */
  override get changelogConfig(): Record<string, string | number> {
    return { 'min.compaction.lag.ms': this.supplier.historyRetentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS };
  }

  /** Caching does not apply to versioned stores; accepted and ignored, as Kafka's builder does. */
  withCachingDisabled(): this {
    return this;
  }

  /** @internal Builds one task's store. */
  build(env: StoreEnv): BuiltStore {
    const [keySerde, valueSerde] = storeSerdes(this.name, this.keySerde, this.valueSerde, env);
    const bytes = this.supplier.bytes.get(env);
    const changelogTopic = this.changelogTopic(env);
    const store = new MeteredVersionedKeyValueStore<K, V>(
      bytes,
      { key: keySerde, value: valueSerde, topic: changelogTopic ?? this.name },
      this.supplier.historyRetentionMs,
      changelogTopic === undefined ? undefined : (key, value, ts) => env.changelog(changelogTopic, key, value, ts),
    );
    return {
      store: store as unknown as MeteredKeyValueStore<unknown, unknown>,
      bytes,
      changelogTopic,
      // A changelog record is a put to replay: merged into the key's versions, not written over them.
      restoreValue: (value, ts, key) => {
        if (key === undefined) return value;
        const k = new Bytes(key);
        applyPut(store, k, value, ts);
        return bytes.get(k);
      },
    };
  }
}
