import type { Observable } from 'rxjs';
import { Serdes } from '../serde/index.ts';
import type { Serde } from '../serde/index.ts';
import type { DslBuilder } from './internal/dsl.ts';
import { storeBuilder } from './builder.ts';
import { TopologyError } from '../errors.ts';
import { type Change, changeSerde } from './internal/change.ts';
import { ktableSuppress } from './operators/suppress.ts';
import { materializeTable } from './operators/table-materialize.ts';
import type { Suppressed } from './suppressed.ts';
import type { Windowed } from './windows.ts';
import { storeGetter, type ValueGetterSupplier } from './internal/table.ts';
import { KStream } from './kstream.ts';
import { repartitionThrough } from './internal/repartition.ts';
import type { AggregateOptions } from './kgrouped-stream.ts';
import { passThrough } from './operators/passthrough.ts';
import { filterGetter, ktableFilter } from './operators/table-filter.ts';
import { ktableMapValues, mapValuesGetter } from './operators/table-map-values.ts';
import { ktableAggregate } from './operators/table-aggregate.ts';
import { ktableRepartitionMap } from './operators/table-repartition-map.ts';
import { joinGetter, ktableTableJoin, type TableJoinMode } from './operators/table-table-join.ts';
import { ktableToStream } from './operators/table-to-stream.ts';
import { type Grouped, type Materialized, materializedOptions, type Named, type TableJoined } from './options.ts';
import { foreignKeyJoin } from './foreign-key-join.ts';
import type { ProcessorSupplier, StreamRecord, ValueTransformerWithKeySupplier } from './processor.ts';
import { ktableTransformValues, transformValuesGetter } from './operators/table-transform-values.ts';
import { observeNode } from './rx.ts';
import type { KeyValue } from './state/key-value-store.ts';

/**
 * Options of a key join between tables: `name` names its nodes (Kafka's `Named`), `materialized`
 * keeps the result in a store of its own, queryable by its name.
 */
export interface TableJoinOptions<K, VR> extends Named {
  materialized?: Materialized<K, VR>;
}

/** A table update as `KTable.toObservable()` emits it. */
export interface TableChange<K, V> {
  key: K;
  newValue: V | null;
  oldValue: V | null;
  timestamp: number;
}

/** Not part of the API (not exported by src/index.ts): what a KTable stands for in the topology being built. */
export interface TableDef<K, V> {
  readonly builder: DslBuilder;
  /** The node the table's changes come out of. */
  readonly nodeName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** How a downstream processor reads the table's current value of a key. */
  readonly getter: ValueGetterSupplier<K, V>;
  /**
   * Set on a table that materializes only on demand (a foreign-key join's result): called by the
   * operators that need the old values of its changes.
   */
  needsOldValues: (() => void) | undefined;
  /**
   * Set on a windowed aggregation's table: how long after a window's end it closes (the grace; for
   * sessions the gap plus the grace), which `suppress(untilWindowCloses)` waits for.
   */
  windowCloseMs: number | undefined;
}

let defOf: <K, V>(table: KTable<K, V>) => TableDef<K, V>;

/** Not part of the API (not exported by src/index.ts): a table's place in the topology, for the DSL's classes. */
export function tableDef<K, V>(table: KTable<K, V>): TableDef<K, V> {
  return defOf(table);
}

/**
 * A changelog stream read as a table (Kafka's `KTable`): the latest value per key, where a null
 * value deletes the key. Derived tables carry each update as (new value, old value), so a filter
 * can retract a key that stops matching and a grouped aggregation can subtract the old value.
 *
 * @example
 * const balances = builder.table('balances', { keySerde: Serdes.String(), valueSerde: Serdes.Double(), materialized: 'balances-store' });
 * balances.filter((_acct, balance) => balance < 0).toStream().to('overdrawn');
 */
export class KTable<K, V> {
  /** Where the table is in the topology being built: for the DSL, through `tableDef`. */
  readonly #def: TableDef<K, V>;
  /** The store to query with `streams.store(name)`, when the table is materialized. */
  readonly queryableStoreName: string | undefined;

  /** @internal Made by the builder and by operators: use `builder.table()` or an aggregation. */
  constructor(
    builder: DslBuilder,
    nodeName: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    getter: ValueGetterSupplier<K, V>,
    storeName?: string,
  ) {
    this.#def = {
      builder,
      nodeName,
      keySerde,
      valueSerde,
      getter,
      needsOldValues: undefined,
      windowCloseMs: undefined,
    };
    this.queryableStoreName = storeName;
  }

  static {
    defOf = (table) => table.#def;
  }

  #add<VR>(
    prefix: string,
    named: Named | undefined,
    supplier: unknown,
    valueSerde: Serde<VR> | undefined,
    getter: ValueGetterSupplier<K, VR>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    const name = named?.name ?? this.#def.builder.names.processor(prefix);
    if (materialized === undefined) {
      this.#def.builder.addProcessor(name, supplier, [this.#def.nodeName]);
      const table = new KTable<K, VR>(this.#def.builder, name, this.#def.keySerde, valueSerde, getter);
      // Its old values are its parent's (Kafka's enableSendingOldValues goes up to a store).
      table.#def.needsOldValues = this.#def.needsOldValues;
      return table;
    }
    // Materialized: the result lives in a store of its own, queryable, and read by joins from there.
    const m = materializedOptions<K, VR>(materialized);
    const storeName = m.storeName ?? this.#def.builder.names.store(prefix);
    const keySerde: Serde<K> | undefined = m.keySerde ?? this.#def.keySerde;
    const resultSerde = m.valueSerde ?? valueSerde;
    this.#def.builder.topology.addStore(storeBuilder(storeName, m, keySerde, resultSerde));
    this.#def.builder.addProcessor(
      name,
      materializeTable(supplier as ProcessorSupplier<K, unknown, K, Change<VR>>, storeName),
      [this.#def.nodeName],
      [storeName],
    );
    return new KTable<K, VR>(this.#def.builder, name, keySerde, resultSerde, storeGetter(storeName), storeName);
  }

  /**
   * Keeps the rows `predicate` accepts; every dropped row is forwarded as a tombstone. With
   * `materialized` the result is kept in a store of its own (queryable by its name).
   *
   * @example
   * balances.filter((_acct, b) => b < 0, undefined, { storeName: 'overdrawn' });
   */
  filter(predicate: (key: K, value: V) => boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#add(
      'KTABLE-FILTER-',
      named,
      ktableFilter(predicate, false),
      this.#def.valueSerde,
      filterGetter(this.#def.getter, predicate, false),
      materialized,
    );
  }

  /** Drops the rows `predicate` accepts, forwarding a tombstone for them; `materialized` as `filter`. */
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.#add(
      'KTABLE-FILTER-',
      named,
      ktableFilter(predicate, true),
      this.#def.valueSerde,
      filterGetter(this.#def.getter, predicate, true),
      materialized,
    );
  }

  /** Maps every value; deletes stay deletes. With `materialized` the result is kept in a store of its own. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named, materialized?: Materialized<K, VR>): KTable<K, VR> {
    return this.#add(
      'KTABLE-MAPVALUES-',
      named,
      ktableMapValues(mapper),
      undefined,
      mapValuesGetter(this.#def.getter, mapper),
      materialized,
    );
  }

  /**
   * Maps each value with a transformer that sees the key, may use state stores (named in
   * `storeNames`, added with `builder.addStateStore`), and is also called for deletes (with null),
   * as Kafka's `KTable.transformValues`. With `materialized` the result has a store of its own.
   *
   * @example
   * scores.transformValues(() => ({ transform: (player, score) => (score === null ? null : `${player}=${score}`) }));
   */
  transformValues<VR>(
    supplier: ValueTransformerWithKeySupplier<K, V, VR>,
    options: { name?: string; materialized?: Materialized<K, VR> } = {},
    ...storeNames: string[]
  ): KTable<K, VR> {
    const named = options.name !== undefined ? { name: options.name } : undefined;
    const result = this.#add(
      'KTABLE-TRANSFORMVALUES-',
      named,
      ktableTransformValues(supplier),
      undefined,
      transformValuesGetter(this.#def.getter, supplier, storeNames),
      options.materialized,
    );
    for (const store of storeNames) this.#def.builder.topology.connectStore(tableDef(result).nodeName, store);
    return result;
  }

  /**
   * Holds updates back (Kafka's `suppress`): `untilWindowCloses` emits one final result per window
   * of a windowed aggregation once it closes; `untilTimeLimit` emits each key's latest update once
   * stream time is the limit past it. The buffer lives in a store with a changelog.
   *
   * @example
   * builder.stream<string, string>('clicks', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
   *   .groupByKey()
   *   .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
   *   .count()
   *   .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
   *   .toStream()
   *   .to('final-counts', { keySerde: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 60_000), valueSerde: Serdes.LongNumber() });
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    const b = this.#def.builder;
    // Its buffer keeps the prior value of each key, as Kafka's KTableSuppressProcessorSupplier asks.
    this.#def.needsOldValues?.();
    const name = suppressed.name ?? b.names.processor('KTABLE-SUPPRESS-');
    const storeName = suppressed.name !== undefined ? `${suppressed.name}-store` : b.names.store('KTABLE-SUPPRESS-');
    let waitMs = suppressed.timeToWaitMs;
    let bufferTime = (_key: K, timestamp: number) => timestamp;
    if (suppressed.kind === 'window-close') {
      if (this.#def.windowCloseMs === undefined)
        throw new TopologyError(
          'suppress(untilWindowCloses) needs a windowed aggregation (windowedBy(...).count/reduce/aggregate) right before it',
        );
      if (suppressed.buffer.whenFull === 'emit-early')
        throw new TopologyError('suppress(untilWindowCloses) needs a strict buffer: unbounded() or shutDownWhenFull()');
      waitMs = this.#def.windowCloseMs;
      bufferTime = (key, _ts) => (key as unknown as Windowed<unknown>).window.end;
    }
    const keySerde = this.#def.keySerde;
    const valueSerde = this.#def.valueSerde;
    if (keySerde === undefined || valueSerde === undefined) {
      throw new TopologyError(
        `suppress needs the table's ${keySerde === undefined ? 'key' : 'value'} serde to buffer its records: give it to the aggregation's Materialized`,
      );
    }
    b.topology.addStore(storeBuilder(storeName, { cachingEnabled: false }, keySerde, changeSerde(valueSerde)));
    b.addProcessor(
      name,
      ktableSuppress<K, V>(storeName, suppressed, waitMs, bufferTime, () => keySerde),
      [this.#def.nodeName],
      [storeName],
    );
    return new KTable<K, V>(b, name, keySerde, valueSerde, this.#def.getter);
  }

  /**
   * The table's updates as a stream re-keyed by `mapper` (Kafka's `toStream(KeyValueMapper)`: the
   * same as `toStream().selectKey(mapper)`).
   *
   * @example
   * windowedCounts.toStream((w) => w.key).to('counts-by-key');
   */
  toStream<KR>(mapper: (key: K, value: V) => KR, named?: Named): KStream<KR, V>;
  /** The table's updates as a stream: a record per change with its new value (null for a delete). */
  toStream(named?: Named): KStream<K, V>;
  toStream<KR>(a?: Named | ((key: K, value: V) => KR), b?: Named): KStream<K, V> | KStream<KR, V> {
    const named = typeof a === 'function' ? b : a;
    const name = named?.name ?? this.#def.builder.names.processor('KTABLE-TOSTREAM-');
    this.#def.builder.addProcessor(name, ktableToStream<K, V>(), [this.#def.nodeName]);
    const stream = new KStream<K, V>(this.#def.builder, name, this.#def.keySerde, this.#def.valueSerde, false);
    return typeof a === 'function' ? stream.selectKey(a as (key: K, value: V) => KR) : stream;
  }

  /**
   * Re-groups the table by a new key (through a repartition topic) for `count`, `reduce` or
   * `aggregate` with an adder and a subtractor.
   */
  groupBy<KR, VR>(
    selector: (key: K, value: V) => KeyValue<KR, VR>,
    grouped: Grouped<KR, VR> = {},
  ): KGroupedTable<KR, VR> {
    this.#def.needsOldValues?.();
    const name = grouped.name ?? this.#def.builder.names.processor('KTABLE-SELECT-');
    this.#def.builder.addProcessor(name, ktableRepartitionMap(selector), [this.#def.nodeName]);
    return new KGroupedTable<KR, VR>(this.#def.builder, name, grouped.keySerde, grouped.valueSerde, grouped.name);
  }

  /**
   * Inner join with another table on the key: a row exists where both tables have one.
   *
   * @example
   * const both = left.join(right, (l, r) => `${l}/${r}`);
   */
  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO) => VR,
    options?: TableJoinOptions<K, VR>,
  ): KTable<K, VR>;
  /**
   * Foreign-key join (Kafka's `join(other, foreignKeyExtractor, joiner)`): each row of this table
   * joins the row of `other` whose key `foreignKeyExtractor` picks from its value. Results follow
   * updates on both sides, deletes, and rows whose foreign key changes; a row whose foreign key is
   * null or not in `other` has no result. Works through two internal topics,
   * `<app>-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-<n>-topic` and `…-SUBSCRIPTION-RESPONSE-<n>-topic`,
   * and a subscription store, as Kafka's does.
   *
   * @example
   * const enriched = orders.join(
   *   customers,
   *   (order) => order.customerId,
   *   (order, customer) => ({ ...order, customerName: customer.name }),
   *   { name: 'orders-with-customers' },
   *   { storeName: 'enriched-orders', valueSerde: Serdes.Json() },
   * );
   */
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO | null | undefined,
    joiner: (value: V, otherValue: VO) => VR,
    tableJoined?: TableJoined<K, KO>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  join<KO, VO, VR>(
    other: KTable<KO, VO>,
    a: ((value: V, otherValue: VO) => VR) | ((value: V, key: K) => KO | null | undefined),
    b?: TableJoinOptions<K, VR> | ((value: V, otherValue: VO) => VR),
    tableJoined?: TableJoined<K, KO>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    if (typeof b === 'function') {
      return foreignKeyJoin(
        this,
        other,
        a as (value: V, key: K) => KO,
        b as (l: V | null, r: VO | null) => VR,
        false,
        tableJoined,
        materialized,
      );
    }
    return this.#join(other as unknown as KTable<K, VO>, a as (l: V | null, r: VO | null) => VR, 'inner', b ?? {}, [
      'KTABLE-JOINTHIS-',
      'KTABLE-JOINOTHER-',
    ]);
  }

  /** Left join: a row for every row of this table, with null where the other has none. */
  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V, otherValue: VO | null) => VR,
    options?: TableJoinOptions<K, VR>,
  ): KTable<K, VR>;
  /**
   * Foreign-key left join: as the foreign-key {@link join}, but every row of this table has a
   * result, with a null foreign value where its foreign key is null or not in `other`.
   *
   * @example
   * orders.leftJoin(customers, (order) => order.customerId, (order, customer) => ({ ...order, customer }));
   */
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    foreignKeyExtractor: (value: V, key: K) => KO | null | undefined,
    joiner: (value: V, otherValue: VO | null) => VR,
    tableJoined?: TableJoined<K, KO>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR>;
  leftJoin<KO, VO, VR>(
    other: KTable<KO, VO>,
    a: ((value: V, otherValue: VO | null) => VR) | ((value: V, key: K) => KO | null | undefined),
    b?: TableJoinOptions<K, VR> | ((value: V, otherValue: VO | null) => VR),
    tableJoined?: TableJoined<K, KO>,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    if (typeof b === 'function') {
      return foreignKeyJoin(
        this,
        other,
        a as (value: V, key: K) => KO,
        b as (l: V | null, r: VO | null) => VR,
        true,
        tableJoined,
        materialized,
      );
    }
    return this.#join(other as unknown as KTable<K, VO>, a as (l: V | null, r: VO | null) => VR, 'left', b ?? {}, [
      'KTABLE-LEFTTHIS-',
      'KTABLE-LEFTOTHER-',
    ]);
  }

  /** Outer join: a row wherever either table has one. */
  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: (value: V | null, otherValue: VO | null) => VR,
    options: TableJoinOptions<K, VR> = {},
  ): KTable<K, VR> {
    return this.#join(other, joiner, 'outer', options, ['KTABLE-OUTERTHIS-', 'KTABLE-OUTEROTHER-']);
  }

  #join<VO, VR>(
    other: KTable<K, VO>,
    joiner: (l: V | null, r: VO | null) => VR,
    mode: TableJoinMode,
    options: TableJoinOptions<K, VR>,
    prefixes: [string, string],
  ): KTable<K, VR> {
    const b = this.#def.builder;
    const named = options.name;
    // Kafka names the store (from its Materialized) before the join's nodes.
    const m = options.materialized === undefined ? undefined : materializedOptions(options.materialized);
    const storeName = m === undefined ? undefined : (m.storeName ?? b.names.store('KTABLE-MERGE-'));
    const thisName = named !== undefined ? `${named}-join-this` : b.names.processor(prefixes[0]);
    const otherName = named !== undefined ? `${named}-join-other` : b.names.processor(prefixes[1]);
    const mergeName = named ?? b.names.processor('KTABLE-MERGE-');
    b.copartition(this.#def.nodeName, tableDef(other).nodeName);
    b.addProcessor(
      thisName,
      ktableTableJoin(tableDef(other).getter as ValueGetterSupplier<K, unknown>, joiner, mode, true),
      [this.#def.nodeName],
      tableDef(other).getter.storeNames,
    );
    b.addProcessor(
      otherName,
      ktableTableJoin(this.#def.getter as ValueGetterSupplier<K, unknown>, joiner, mode, false),
      [tableDef(other).nodeName],
      this.#def.getter.storeNames,
    );
    if (m === undefined || storeName === undefined) {
      b.addProcessor(mergeName, passThrough(), [thisName, otherName]);
      return new KTable<K, VR>(
        b,
        mergeName,
        this.#def.keySerde,
        undefined,
        joinGetter(this.#def.getter, tableDef(other).getter, joiner, mode),
      );
    }
    const keySerde = m.keySerde ?? this.#def.keySerde;
    b.topology.addStore(storeBuilder(storeName, m, keySerde, m.valueSerde));
    b.addProcessor(
      mergeName,
      materializeTable(passThrough() as ProcessorSupplier<K, Change<VR>, K, Change<VR>>, storeName),
      [thisName, otherName],
      [storeName],
    );
    return new KTable<K, VR>(b, mergeName, keySerde, m.valueSerde, storeGetter(storeName), storeName);
  }

  /** The table's changes as an rxjs `Observable` (hot, synchronous; see `KStream.toObservable`). */
  toObservable(): Observable<TableChange<K, V>> {
    return observeNode<K, Change<V>, TableChange<K, V>>(
      this.#def.builder,
      this.#def.nodeName,
      (r: StreamRecord<K, Change<V>>) => ({
        key: r.key,
        newValue: r.value.newValue,
        oldValue: r.value.oldValue,
        timestamp: r.timestamp,
      }),
    );
  }
}

/**
 * A table re-grouped by a new key (Kafka's `KGroupedTable`). Each update of the source table
 * subtracts the row's old value from its old group and adds the new value to its new group.
 */
export class KGroupedTable<K, V> {
  readonly #builder: DslBuilder;
  readonly #nodeName: string;
  readonly #keySerde: Serde<K> | undefined;
  readonly #valueSerde: Serde<V> | undefined;
  readonly #groupName: string | undefined;

  /** @internal */
  constructor(
    builder: DslBuilder,
    nodeName: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    groupName: string | undefined,
  ) {
    this.#builder = builder;
    this.#nodeName = nodeName;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
    this.#groupName = groupName;
  }

  /** The number of rows per group. */
  count(options: AggregateOptions<K, number> = {}): KTable<K, number> {
    return this.#aggregate(
      'KTABLE-AGGREGATE-',
      options,
      Serdes.LongNumber(),
      () => 0,
      (_k, _v, agg) => (agg ?? 0) + 1,
      (_k, _v, agg) => agg - 1,
    );
  }

  /** Combines the rows' values per group with an adder and a subtractor. */
  reduce(
    adder: (aggregate: V, value: V) => V,
    subtractor: (aggregate: V, value: V) => V,
    options: AggregateOptions<K, V> = {},
  ): KTable<K, V> {
    return this.#aggregate(
      'KTABLE-REDUCE-',
      options,
      this.#valueSerde,
      undefined,
      (_k, v, agg) => (agg === null ? v : adder(agg, v)),
      (_k, v, agg) => subtractor(agg, v),
    );
  }

  /** Folds rows into an aggregate per group: `adder` for new values, `subtractor` for old ones. */
  aggregate<VA>(
    initializer: () => VA,
    adder: (key: K, value: V, aggregate: VA) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA,
    options: AggregateOptions<K, VA> = {},
  ): KTable<K, VA> {
    return this.#aggregate(
      'KTABLE-AGGREGATE-',
      options,
      undefined,
      initializer,
      (k, v, agg) => adder(k, v, agg as VA),
      subtractor,
    );
  }

  #aggregate<VA>(
    prefix: string,
    options: AggregateOptions<K, VA>,
    defaultValueSerde: Serde<VA> | undefined,
    initializer: (() => VA) | undefined,
    adder: (key: K, value: V, aggregate: VA | null) => VA,
    subtractor: (key: K, value: V, aggregate: VA) => VA | null,
  ): KTable<K, VA> {
    const b = this.#builder;
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? b.names.store(prefix);
    const base = this.#groupName ?? storeName;
    const named = this.#groupName !== undefined;
    const sink = named ? `${base}-repartition-sink` : b.names.processor('KSTREAM-SINK-');
    const source = named ? `${base}-repartition-source` : b.names.processor('KSTREAM-SOURCE-');
    const name = options.name ?? b.names.processor(prefix);
    const parent = repartitionThrough(b, this.#nodeName, `${base}-repartition`, {
      sink,
      source,
      keySerde: this.#keySerde as Serde<unknown> | undefined,
      valueSerde: this.#valueSerde as Serde<unknown> | undefined,
      changeValues: true,
    });
    const keySerde = m.keySerde ?? this.#keySerde;
    const valueSerde = m.valueSerde ?? defaultValueSerde;
    b.topology.addStore(storeBuilder(storeName, m, keySerde, valueSerde));
    b.addProcessor(name, ktableAggregate(storeName, initializer, adder, subtractor), [parent], [storeName]);
    return new KTable<K, VA>(b, name, keySerde, valueSerde, storeGetter(storeName), storeName);
  }
}
