/**
 * Options objects named as Kafka Streams names its config classes (`Consumed`, `Produced`,
 * `Grouped`, `Materialized`, `Repartitioned`, `Joined`, `Named`). Every field is optional; a
 * missing serde falls back to the app's `defaultKeySerde` / `defaultValueSerde`.
 */
import type { Serde } from '../serde/index.ts';
import type { TimestampExtractor } from './processor.ts';
import type { KeyValueBytesStoreSupplier } from './state/stores.ts';
import type { VersionedBytesStoreSupplier } from './state/versioned-store.ts';

/** Names a processor node (Kafka's `Named`); generated names change when the topology changes. */
export interface Named {
  name?: string;
}

/** How a source topic is read (Kafka's `Consumed`). */
export interface Consumed<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  timestampExtractor?: TimestampExtractor;
}

/** Picks a partition for a record written by a sink; `undefined` falls back to the default. */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

/** How a sink writes (Kafka's `Produced`). */
export interface Produced<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

/** How records are grouped (Kafka's `Grouped`); `name` also names the repartition topic. */
export interface Grouped<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

/** How `repartition()` writes and reads its topic (Kafka's `Repartitioned`). */
export interface Repartitioned<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** Default: the upstream source's partition count. */
  numberOfPartitions?: number;
  partitioner?: StreamPartitioner<K, V>;
}

/** Where and how a table or aggregation keeps its state (Kafka's `Materialized`). */
export interface MaterializedOptions<K, V> {
  /** The store's name: queryable by `streams.store(name)`, and its changelog is `<app>-<name>-changelog`. */
  storeName?: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** `persistent` (default) or `in-memory`. */
  storeType?: 'persistent' | 'in-memory';
  /** Default true: the store is backed by a compacted changelog topic and restored from it. */
  loggingEnabled?: boolean;
  /** Default true: updates to a key collapse in the record cache until the next commit. */
  cachingEnabled?: boolean;
  /**
   * Window stores only: how long windows are kept behind the newest (Kafka's `withRetention`).
   * Default and minimum: window size + grace period.
   */
  retentionMs?: number;
  /**
   * The store to keep the table in (Kafka's `Materialized.as(supplier)`), named by the supplier:
   * `Stores.persistentVersionedKeyValueStore(name, historyMs)` makes the table versioned.
   */
  storeSupplier?: KeyValueBytesStoreSupplier | VersionedBytesStoreSupplier;
}

/** A store name alone, or the full options. */
export type Materialized<K, V> = string | MaterializedOptions<K, V>;

/** Serdes for a stream-table join's repartitioning (Kafka's `Joined`). */
export interface Joined<K, V, VT> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  otherValueSerde?: Serde<VT>;
  /**
   * Stream-table joins with a versioned table (KIP-923): how long stream records wait, in a
   * buffer, for the table to catch up; they are then joined in timestamp order, each as of its
   * own timestamp. A record already later than that is joined at once. Zero means no buffer.
   */
  gracePeriodMs?: number;
}

/**
 * Names a foreign-key join (Kafka's `TableJoined`): with a name its nodes, store and topics are
 * `<name>-subscription-registration-topic`, `<name>-subscription-store`, `<name>-result`… instead of
 * generated names that change when the topology changes.
 */
export interface TableJoined<K, KO> extends Named {
  /** Partitions the primary table's topic: where responses go (default: the subscriber's partition). */
  partitioner?: StreamPartitioner<K, unknown>;
  /** Partitions the foreign table's topic: where subscriptions go (default: by the foreign key's bytes). */
  otherPartitioner?: StreamPartitioner<KO, unknown>;
}

/** Kafka's `Branched`: a branch's name and an optional function that consumes the branch. */
export interface Branched<K, V> {
  name?: string;
  /**
   * Receives the branch's stream; what it returns goes in the result map (the branch itself when it
   * returns undefined, nothing when it returns null, as Kafka's).
   */
  withFunction?: (
    branch: import('./kstream.ts').KStream<K, V>,
  ) => import('./kstream.ts').KStream<K, V> | null | undefined;
  /** Consumes the branch; it is then left out of the result map. */
  withConsumer?: (branch: import('./kstream.ts').KStream<K, V>) => void;
}

export function materializedOptions<K, V>(m: Materialized<K, V> | undefined): MaterializedOptions<K, V> {
  if (m === undefined) return {};
  if (typeof m === 'string') return { storeName: m };
  return m.storeSupplier !== undefined && m.storeName === undefined ? { ...m, storeName: m.storeSupplier.name } : m;
}
