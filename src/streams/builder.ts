import type { Serde } from '../serde/index.ts';
import { GlobalKTable } from './global-ktable.ts';
import { DslBuilder } from './internal/dsl.ts';
import { optimize, type TopologyOptimization } from './internal/optimize.ts';
import { storeOnDemand } from './internal/table.ts';
import { KStream } from './kstream.ts';
import { KTable, tableDef } from './ktable.ts';
import { ktableSource, ktableSourceOnDemand } from './operators/table-source.ts';
import { type Consumed, type Materialized, type MaterializedOptions, materializedOptions } from './options.ts';
import type { ProcessorNode, Topology } from './topology.ts';
import { type KeyValueStoreBuilder, Stores } from './state/stores.ts';
import type { WindowStoreBuilder } from './state/window-store.ts';
import type { SessionStoreBuilder } from './state/session-store.ts';
import { isVersionedSupplier, type VersionedKeyValueStoreBuilder } from './state/versioned-store.ts';

/** Options of `builder.table()` / `globalTable()`: how the topic is read and where the table lives. */
export interface TableOptions<K, V> extends Consumed<K, V> {
  materialized?: Materialized<K, V>;
}

/**
 * Builds a topology with the DSL, as Kafka's `StreamsBuilder`.
 *
 * @example
 * const builder = new StreamsBuilder();
 * builder
 *   .stream('lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
 *   .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
 *   .groupBy((_key, word) => word, { keySerde: Serdes.String() })
 *   .count({ materialized: 'counts-store' })
 *   .toStream()
 *   .to('word-counts', { valueSerde: Serdes.LongNumber() });
 * const topology = builder.build();
 */
export class StreamsBuilder {
  /** The topology under construction, with its names: handed to the streams and tables it makes. */
  readonly #dsl = new DslBuilder();

  /** A stream of the records of one topic, several topics, or every topic a pattern matches. */
  stream<K = Uint8Array, V = Uint8Array>(
    topics: string | string[] | RegExp,
    consumed: Consumed<K, V> = {},
  ): KStream<K, V> {
    const name = consumed.name ?? this.#dsl.names.processor('KSTREAM-SOURCE-');
    this.#dsl.topology.addNode({
      kind: 'source',
      name,
      topics: topics instanceof RegExp ? [] : typeof topics === 'string' ? [topics] : [...topics],
      ...(topics instanceof RegExp ? { pattern: topics } : {}),
      ...serdes(consumed),
      ...(consumed.timestampExtractor !== undefined ? { timestampExtractor: consumed.timestampExtractor } : {}),
      children: [],
    });
    this.#dsl.optimizable.streamSources.push(name);
    return new KStream<K, V>(this.#dsl, name, consumed.keySerde, consumed.valueSerde, false);
  }

  /**
   * A table of the latest value per key of a topic: a null value deletes the key. Kept in a store
   * when `materialized` names one (queryable), or, as Kafka does, once something needs it: a join
   * reads it, groupBy or suppress needs its old values.
   */
  table<K = Uint8Array, V = Uint8Array>(topic: string, options: TableOptions<K, V> = {}): KTable<K, V> {
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? this.#dsl.names.store(`${topic}-`);
    const sourceName = options.name ?? this.#dsl.names.processor('KSTREAM-SOURCE-');
    const tableName =
      options.name !== undefined ? `${options.name}-table-source` : this.#dsl.names.processor('KTABLE-SOURCE-');
    const keySerde = m.keySerde ?? options.keySerde;
    const valueSerde = m.valueSerde ?? options.valueSerde;
    this.#dsl.topology.addNode({
      kind: 'source',
      name: sourceName,
      topics: [topic],
      ...serdes(options),
      ...(options.timestampExtractor !== undefined ? { timestampExtractor: options.timestampExtractor } : {}),
      children: [],
    });
    return sourceTable(this.#dsl, tableName, sourceName, storeName, m, keySerde, valueSerde, () =>
      this.#dsl.optimizable.tableSources.push({ store: storeName, topic }),
    );
  }

  /**
   * A table replicated in full to every task of the app (Kafka's `GlobalKTable`): filled from every
   * partition of `topic` before processing starts and kept current; read-only, for joins.
   */
  globalTable<K = Uint8Array, V = Uint8Array>(topic: string, options: TableOptions<K, V> = {}): GlobalKTable<K, V> {
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? this.#dsl.names.store(`${topic}-`);
    const sourceName = options.name ?? this.#dsl.names.processor('KSTREAM-SOURCE-');
    const tableName = this.#dsl.names.processor('KTABLE-SOURCE-');
    const builder = storeBuilder(
      storeName,
      { ...m, cachingEnabled: false, loggingEnabled: false },
      m.keySerde ?? options.keySerde,
      m.valueSerde ?? options.valueSerde,
    );
    this.#dsl.topology.addStore(builder);
    const source = {
      kind: 'source' as const,
      name: sourceName,
      topics: [topic],
      ...serdes(options),
      children: [tableName],
    };
    const processor: ProcessorNode = {
      kind: 'processor',
      name: tableName,
      supplier: ktableSource(storeName) as ProcessorNode['supplier'],
      parents: [sourceName],
      children: [],
      stores: [storeName],
    };
    this.#dsl.topology.addGlobalStore(source, processor, storeName, topic);
    return new GlobalKTable<K, V>(storeName);
  }

  /** Adds a store that processors name in `process(supplier, ...storeNames)`. */
  addStateStore<K, V>(
    builder:
      | KeyValueStoreBuilder<K, V>
      | WindowStoreBuilder<K, V>
      | SessionStoreBuilder<K, V>
      | VersionedKeyValueStoreBuilder<K, V>,
  ): this {
    this.#dsl.addStateStore(builder);
    return this;
  }

  /**
   * The topology built so far. `topologyOptimization` is Kafka's `topology.optimization` (given to
   * `StreamsBuilder.build(props)` there too): `'none'` (default), `'all'`, or a list of
   * `'reuse.ktable.source.topics'` (a `table()`'s store is restored from its source topic instead of
   * a changelog), `'merge.repartition.topics'` (one repartition topic per key change, however many
   * groupings follow it) and `'single.store.self.join'` (an inner join of a stream with itself keeps
   * one window store). A rule rewrites the topology once; later builds keep it. Streams read from the
   * same topics become one source at every build, as Kafka makes them.
   *
   * @example
   * const topology = builder.build({ topologyOptimization: 'all' });
   */
  build(options: { topologyOptimization?: TopologyOptimization } = {}): Topology {
    optimize(this.#dsl, options.topologyOptimization);
    return this.#dsl.built;
  }
}

/**
 * @internal A table read from `parent`'s records (Kafka's KTableSource: `builder.table()`,
 * `toTable()`): its store is added when `m` names it (queryable), else once something needs it;
 * `materialized` is told when it is.
 */
export function sourceTable<K, V>(
  dsl: DslBuilder,
  node: string,
  parent: string,
  storeName: string,
  m: MaterializedOptions<K, V>,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  materialized: () => void = () => undefined,
): KTable<K, V> {
  const { store, materialize, getter } = storeOnDemand<K, V>(
    storeName,
    () => {
      dsl.topology.addStore(storeBuilder(storeName, m, keySerde, valueSerde));
      dsl.topology.connectStore(node, storeName);
      materialized();
    },
    isVersionedSupplier(m.storeSupplier),
  );
  dsl.addProcessor(node, ktableSourceOnDemand<K, V>(store), [parent]);
  const queryable = m.storeName !== undefined;
  if (queryable) materialize();
  const table = new KTable<K, V>(dsl, node, keySerde, valueSerde, getter, queryable ? storeName : undefined);
  tableDef(table).needsOldValues = materialize;
  return table;
}

/** @internal The store a `Materialized` describes. */
export function storeBuilder<K, V>(
  name: string,
  m: MaterializedOptions<K, V>,
  keySerde?: Serde<K>,
  valueSerde?: Serde<V>,
): KeyValueStoreBuilder<unknown, unknown> {
  if (isVersionedSupplier(m.storeSupplier)) {
    const v = Stores.versionedKeyValueStoreBuilder(m.storeSupplier, m.keySerde ?? keySerde, m.valueSerde ?? valueSerde);
    if (m.loggingEnabled === false) v.withLoggingDisabled();
    return v as unknown as KeyValueStoreBuilder<unknown, unknown>;
  }
  const supplier =
    m.storeSupplier ??
    (m.storeType === 'in-memory' ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name));
  const b = Stores.timestampedKeyValueStoreBuilder(supplier, m.keySerde ?? keySerde, m.valueSerde ?? valueSerde);
  if (m.cachingEnabled === false) b.withCachingDisabled();
  if (m.loggingEnabled === false) b.withLoggingDisabled();
  return b as unknown as KeyValueStoreBuilder<unknown, unknown>;
}

function serdes(c: { keySerde?: Serde<unknown> | Serde<never>; valueSerde?: Serde<unknown> | Serde<never> }): {
  keySerde?: Serde<unknown>;
  valueSerde?: Serde<unknown>;
} {
  return {
    ...(c.keySerde !== undefined ? { keySerde: c.keySerde as Serde<unknown> } : {}),
    ...(c.valueSerde !== undefined ? { valueSerde: c.valueSerde as Serde<unknown> } : {}),
  };
}
