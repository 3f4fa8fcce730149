import type { Serde } from '../../serde/index.ts';
import { changelogTopicName } from '../internal/topics.ts';

/**
 * How much longer than its store a changelog keeps what the store expires: a day, Kafka's default
 * `windowstore.changelog.additional.retention.ms` (window and session changelogs' retention, a
 * versioned changelog's compaction lag).
 */
export const CHANGELOG_ADDITIONAL_RETENTION_MS = 24 * 3_600_000;

/**
 * The changelog configs of a store whose records expire (window, session and join stores):
 * compacted and deleted, kept a day past the store's retention, as Kafka creates window changelogs.
 *
 * @example
 * windowedChangelogConfig(3_600_000); // { 'cleanup.policy': 'compact,delete', 'retention.ms': 90_000_000 }
 */
export function windowedChangelogConfig(retentionMs: number): Record<string, string | number> {
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': retentionMs + CHANGELOG_ADDITIONAL_RETENTION_MS };
}

/**
 * What every store builder shares (Kafka's `AbstractStoreBuilder`): the supplier the store's bytes
 * come from, its key and value serdes, its name, whether it is backed by a changelog topic
 * `<applicationId>-<store>-changelog` and with which topic configs, and whether it gets a record
 * cache. Each builder adds how it stacks its store for a task (`build`).
 *
 * Logging is on by default and every builder can turn it off and on again. Caching is each
 * builder's own: it starts on or off as the builder says (`caching` in the constructor), and only
 * a builder whose store can be cached has `withCachingEnabled()` / `withCachingDisabled()` (over
 * the protected `setCaching`), so a versioned or join store cannot be asked to cache.
 *
 * @example
 * class CountsStoreBuilder extends StoreBuilderBase<string, number, KeyValueBytesStoreSupplier> {
 *   constructor(supplier: KeyValueBytesStoreSupplier) {
 *     super(supplier, Serdes.String(), Serdes.LongNumber(), true);
 *   }
 *   withCachingDisabled(): this {
 *     return this.setCaching(false);
 *   }
 *   build(env: StoreEnv): BuiltStore {
 *     const changelogTopic = this.changelogTopic(env); // 'app-counts-changelog', or undefined without logging
 *     // …
 *   }
 * }
 */
export abstract class StoreBuilderBase<K, V, S extends { readonly name: string }> {
  /** Where the store's bytes come from; its name is the store's. */
  readonly supplier: S;
  /** The serde of the store's keys; without one, the application's `defaultKeySerde`. */
  readonly keySerde: Serde<K> | undefined;
  /** The serde of the store's values; without one, the application's `defaultValueSerde`. */
  readonly valueSerde: Serde<V> | undefined;
  #logging = true;
  #caching: boolean;

  /** `caching`: whether the store starts with a record cache (the builders differ, as Kafka's do). */
  protected constructor(
    supplier: S,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    caching: boolean,
  ) {
    this.supplier = supplier;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.#caching = caching;
  }

  /** The store's name: its supplier's. */
  get name(): string {
    return this.supplier.name;
  }

  /** Whether the store is backed by a changelog topic (the default). */
  get loggingEnabled(): boolean {
    return this.#logging;
  }

  /** Whether the store gets a record cache. */
  get cachingEnabled(): boolean {
    return this.#caching;
  }

  /**
   * Topic configs of the changelog beyond `cleanup.policy=compact`: none for a plain key-value
   * store; window, session and join stores expire theirs, a versioned store delays compaction.
   */
  get changelogConfig(): Record<string, string | number> {
    return {};
  }

  /** Backs the store with a changelog topic, restored from on restart or on another instance (the default). */
  withLoggingEnabled(): this {
    this.#logging = true;
    return this;
  }

  /** Keeps the store without a changelog: its contents are lost with the instance. */
  withLoggingDisabled(): this {
    this.#logging = false;
    return this;
  }

  /**
   * Turns the record cache on or off, for the builders whose store can be cached to publish as
   * `withCachingEnabled()` / `withCachingDisabled()`.
   */
  protected setCaching(on: boolean): this {
    this.#caching = on;
    return this;
  }

  /** The store's changelog topic in `env`'s application, `<applicationId>-<store>-changelog`; undefined without logging. */
  protected changelogTopic(env: { readonly applicationId: string }): string | undefined {
    return this.#logging ? changelogTopicName(env.applicationId, this.name) : undefined;
  }
}
