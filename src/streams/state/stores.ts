import type { Serde } from '../../serde/index.ts';
import { storeSerdes } from './store-serdes.ts';
import type { BytesStore } from './bytes.ts';
import { type CacheBudget, CachingBytesStore } from './caching-store.ts';
import { join } from 'node:path';
import { LevelBytesStore } from './level-store.ts';
import type { KeyValueStore } from './key-value-store.ts';
import { ChangeLoggingBytesStore } from './logging-store.ts';
import { InMemoryBytesStore } from './memory-store.ts';
import { MeteredKeyValueStore } from './metered-store.ts';
import { StoreBuilderBase } from './store-builder.ts';
import { rawValueOf, timestampedBytes, timestampOf } from './value-and-timestamp.ts';
import { SessionStoreBuilder } from './session-store.ts';
import { type WindowBytesStoreSupplier, windowBytesStoreSupplier, WindowStoreBuilder } from './window-store.ts';
import {
  type VersionedBytesStoreSupplier,
  versionedBytesStoreSupplier,
  VersionedKeyValueStoreBuilder,
} from './versioned-store.ts';

/** Makes the innermost bytes store of one task (Kafka's `KeyValueBytesStoreSupplier`). */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  /** The bytes store of one task: in memory, or in LevelDB under `stateDir/applicationId/taskId`. */
  get(env: { stateDir?: string; applicationId: string; taskId: string }): BytesStore;
}

/** What the runtime hands a store builder when it builds a task's store. */
export interface StoreEnv {
  applicationId: string;
  taskId: string;
  partition: number;
  stateDir?: string;
  /** null when caching is off for the whole app (`cacheMaxBytes: 0`). */
  cacheBudget: CacheBudget | null;
  /** Sends a changelog record for this store's changelog topic. */
  changelog: (topic: string, key: Uint8Array, value: Uint8Array | null, timestamp: number) => void;
  /** The timestamp of the record being processed. */
  timestamp: () => number;
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
}

/** A built store: the typed outer layer and the innermost bytes store (restored directly). */
export interface BuiltStore {
  store: MeteredKeyValueStore<unknown, unknown>;
  bytes: BytesStore;
  changelogTopic: string | undefined;
  /**
   * The changelog is the source topic of the store's table (`topology.optimization`
   * reuse.ktable.source.topics): nothing is written to it, and a restore stops at the app's
   * committed offset of the partition, where processing resumes.
   */
  sourceChangelog?: boolean;
  /**
   * The bytes a changelog record restores into `bytes`: for a timestamped store the record's value
   * with the record's timestamp in front (its changelog holds plain values, as Kafka's does).
   */
  restoreValue?: (value: Uint8Array | null, timestamp: number, key?: Uint8Array) => Uint8Array | null;
}

/**
 * Describes a store so each task can build its own (Kafka's `StoreBuilder`).
 *
 * @example
 * builder.addStateStore(
 *   Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('totals'), Serdes.String(), Serdes.LongNumber()),
 * );
 */
export class KeyValueStoreBuilder<K, V> extends StoreBuilderBase<K, V, KeyValueBytesStoreSupplier> {
  /** Values kept with their timestamps (Kafka's `TimestampedKeyValueStore`): every KTable's store. */
  readonly timestamped: boolean;

  constructor(supplier: KeyValueBytesStoreSupplier, keySerde?: Serde<K>, valueSerde?: Serde<V>, timestamped = false) {
    super(supplier, keySerde, valueSerde, true);
    this.timestamped = timestamped;
  }

  /** Puts a record cache in front of the store: repeated updates of a key are forwarded and logged once per commit (the default). */
  withCachingEnabled(): this {
    return this.setCaching(true);
  }

  /** Forwards and logs every update at once. */
  withCachingDisabled(): this {
    return this.setCaching(false);
  }

  /** Stacks metered → caching → change-logging → bytes for one task. */
  build(env: StoreEnv): BuiltStore {
    const [keySerde, valueSerde] = storeSerdes(this.name, this.keySerde, this.valueSerde, env);
    const bytes = this.supplier.get(env);
    let stack: BytesStore = bytes;
    const changelogTopic = this.changelogTopic(env);
    if (changelogTopic !== undefined) {
      // A timestamped value goes to the changelog as Kafka logs it: the plain value, on a record
      // carrying the value's timestamp.
      const sink = this.timestamped
        ? (key: Uint8Array, value: Uint8Array | null, ts: number) =>
            env.changelog(
              changelogTopic,
              key,
              value === null ? null : rawValueOf(value),
              value === null ? ts : timestampOf(value),
            )
        : (key: Uint8Array, value: Uint8Array | null, ts: number) => env.changelog(changelogTopic, key, value, ts);
      stack = new ChangeLoggingBytesStore(stack, sink, env.timestamp);
    }
    if (this.cachingEnabled && env.cacheBudget !== null)
      stack = new CachingBytesStore(stack, env.cacheBudget, env.timestamp);
    const store = new MeteredKeyValueStore<K, V>(
      stack,
      keySerde,
      valueSerde,
      changelogTopic ?? this.name,
      this.timestamped ? env.timestamp : undefined,
    );
    return {
      store: store as unknown as MeteredKeyValueStore<unknown, unknown>,
      bytes,
      changelogTopic,
      ...(this.timestamped
        ? {
            restoreValue: (value: Uint8Array | null, ts: number) =>
              value === null ? null : timestampedBytes(ts, value),
          }
        : {}),
    };
  }
}

/**
 * Store factories, as Kafka's `Stores`.
 *
 * @example
 * const totals = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('totals'), Serdes.String(), Serdes.Double());
 */
export const Stores = {
  /** A store kept in memory only: rebuilt from its changelog whenever its task starts. */
  inMemoryKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return { name, persistent: false, get: () => new InMemoryBytesStore(name) };
  },
  /**
   * A store kept in LevelDB under the app's `stateDir` (in memory when there is none), with a
   * checkpoint of the changelog offset it holds, so a restart restores only what it misses.
   */
  persistentKeyValueStore(name: string): KeyValueBytesStoreSupplier {
    return {
      name,
      persistent: true,
      get: (env) =>
        env.stateDir === undefined
          ? new InMemoryBytesStore(name)
          : new LevelBytesStore(join(env.stateDir, env.applicationId, env.taskId, name), name),
    };
  },
  /** A builder of a key-value store over `supplier`'s bytes store, with the serdes of its keys and values. */
  keyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
  /**
   * A store keeping each value with its timestamp (Kafka's `timestampedKeyValueStoreBuilder`), as
   * the DSL's tables do: read them with `getWithTimestamp` / `putWithTimestamp`.
   *
   * @example
   * const b = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('latest'), Serdes.String(), Serdes.String());
   */
  timestampedKeyValueStoreBuilder<K, V>(
    supplier: KeyValueBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): KeyValueStoreBuilder<K, V> {
    return new KeyValueStoreBuilder(supplier, keySerde, valueSerde, true);
  },
  /**
   * A window store kept in memory (rebuilt from its changelog on start): windows older than
   * `retentionMs` behind the newest are dropped; `retainDuplicates` keeps every put (for joins).
   */
  inMemoryWindowStore(
    name: string,
    retentionMs: number,
    windowSizeMs: number,
    retainDuplicates = false,
  ): WindowBytesStoreSupplier {
    return windowBytesStoreSupplier(Stores.inMemoryKeyValueStore(name), retentionMs, windowSizeMs, retainDuplicates);
  },
  /** A window store kept in LevelDB under the app's `stateDir` (in memory when there is none). */
  persistentWindowStore(
    name: string,
    retentionMs: number,
    windowSizeMs: number,
    retainDuplicates = false,
  ): WindowBytesStoreSupplier {
    return windowBytesStoreSupplier(Stores.persistentKeyValueStore(name), retentionMs, windowSizeMs, retainDuplicates);
  },
  /** A session store kept in memory; `retentionMs` at least the inactivity gap plus grace. */
  inMemorySessionStore(
    name: string,
    retentionMs: number,
  ): { supplier: KeyValueBytesStoreSupplier; retentionMs: number } {
    return { supplier: Stores.inMemoryKeyValueStore(name), retentionMs };
  },
  /** A session store kept in LevelDB under the app's `stateDir` (in memory when there is none). */
  persistentSessionStore(
    name: string,
    retentionMs: number,
  ): { supplier: KeyValueBytesStoreSupplier; retentionMs: number } {
    return { supplier: Stores.persistentKeyValueStore(name), retentionMs };
  },
  /** A builder of a session store (for session-windowed aggregations) over `s`'s bytes store. */
  sessionStoreBuilder<K, V>(
    s: { supplier: KeyValueBytesStoreSupplier; retentionMs: number; timeOrdered?: boolean },
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): SessionStoreBuilder<K, V> {
    return new SessionStoreBuilder(s.supplier, s.retentionMs, keySerde, valueSerde, s.timeOrdered === true);
  },
  /**
   * A versioned store kept in LevelDB under the app's `stateDir` (in memory when there is none):
   * every value of a key within `historyRetentionMs` of the newest timestamp, readable as of a time
   * (Kafka's `persistentVersionedKeyValueStore`). Materialize a table in one to join streams with
   * it as of their records' timestamps.
   *
   * @example
   * builder.table('prices', { materialized: { storeSupplier: Stores.persistentVersionedKeyValueStore('prices', 600_000) } });
   */
  persistentVersionedKeyValueStore(name: string, historyRetentionMs: number): VersionedBytesStoreSupplier {
    return versionedBytesStoreSupplier(Stores.persistentKeyValueStore(name), historyRetentionMs);
  },
  /** A versioned store kept in memory, rebuilt from its changelog when its task starts. */
  inMemoryVersionedKeyValueStore(name: string, historyRetentionMs: number): VersionedBytesStoreSupplier {
    return versionedBytesStoreSupplier(Stores.inMemoryKeyValueStore(name), historyRetentionMs);
  },
  /** Describes a versioned store over a versioned supplier, for `addStateStore` (Kafka's `versionedKeyValueStoreBuilder`). */
  versionedKeyValueStoreBuilder<K, V>(
    supplier: VersionedBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): VersionedKeyValueStoreBuilder<K, V> {
    return new VersionedKeyValueStoreBuilder(supplier, keySerde, valueSerde);
  },
  /** A builder of a window store (for windowed aggregations and joins) over `supplier`'s bytes store. */
  windowStoreBuilder<K, V>(
    supplier: WindowBytesStoreSupplier,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): WindowStoreBuilder<K, V> {
    return new WindowStoreBuilder(supplier, keySerde, valueSerde);
  },
} as const;

/** The store types the DSL and the runtime use. */
export type { KeyValueStore };
