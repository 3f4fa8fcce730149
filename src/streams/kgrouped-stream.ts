import { Serdes } from '../serde/index.ts';
import type { Serde } from '../serde/index.ts';
import { storeBuilder } from './builder.ts';
import { storeGetter } from './internal/table.ts';
import { type KStream, streamDef } from './kstream.ts';
import { repartitionThrough } from './internal/repartition.ts';
import { KTable } from './ktable.ts';
import { kstreamAggregate } from './operators/stream-aggregate.ts';
import { type Materialized, materializedOptions } from './options.ts';
import type { DslBuilder } from './internal/dsl.ts';
import { TimeWindowedKStream } from './time-windowed-kstream.ts';
import { CogroupedKStream } from './cogrouped-kstream.ts';
import { SessionWindowedKStream } from './session-windowed-kstream.ts';
import { SessionWindows, type SlidingWindows, type TimeWindows } from './windows.ts';

/** Options of a grouped aggregation: the processor's name and where its result lives. */
export interface AggregateOptions<K, VA> {
  name?: string;
  materialized?: Materialized<K, VA>;
}

/**
 * Not part of the API (not exported by src/index.ts): a grouped stream as the DSL sees it — its
 * stream, serdes and name, and whether (and how) its aggregations repartition first.
 */
export class GroupedStreamDef<K, V> {
  constructor(
    readonly stream: KStream<K, V>,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly groupName: string | undefined,
    /** The key was changed upstream: aggregations must repartition first. */
    readonly repartitionRequired: boolean,
  ) {}

  /** The stream's builder. */
  get builder(): DslBuilder {
    return streamDef(this.stream).builder;
  }

  /** The grouping's serdes. */
  get serdes(): { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined } {
    return { keySerde: this.keySerde, valueSerde: this.valueSerde };
  }

  /**
   * The node aggregations hang off: the stream itself, or (after a key change) the
   * source of a repartition topic named after the grouping or the aggregation's store.
   */
  repartitioned(storeName: string, topicBase: string = storeName, cogroup = false): string {
    const b = streamDef(this.stream).builder;
    let parent = streamDef(this.stream).nodeName;
    if (this.repartitionRequired) {
      const base = this.groupName ?? topicBase;
      const named = this.groupName !== undefined;
      // A cogroup names its repartition nodes after the store, yet still uses up generated numbers.
      const node = (suffix: string, prefix: string) => {
        if (named) return `${base}-repartition-${suffix}`;
        const generated = b.names.processor(prefix);
        return cogroup ? `${base}-repartition-${suffix}` : generated;
      };
      const sink = node('sink', 'KSTREAM-SINK-');
      const filter = node('filter', 'KSTREAM-FILTER-');
      const source = node('source', 'KSTREAM-SOURCE-');
      const from = parent;
      parent = repartitionThrough(b, parent, `${base}-repartition`, {
        sink,
        filter,
        source,
        keySerde: this.keySerde as Serde<unknown> | undefined,
        valueSerde: this.valueSerde as Serde<unknown> | undefined,
      });
      b.optimizable.repartitions.push({ parent: from, filter, sink, source, topic: `${base}-repartition` });
    }
    return parent;
  }
}

let defOf: <K, V>(grouped: KGroupedStream<K, V>) => GroupedStreamDef<K, V>;

/** Not part of the API (not exported by src/index.ts): a grouped stream's grouping, for the DSL's classes. */
export function groupedDef<K, V>(grouped: KGroupedStream<K, V>): GroupedStreamDef<K, V> {
  return defOf(grouped);
}

/**
 * A stream grouped by key (Kafka's `KGroupedStream`), made by `groupByKey()` or `groupBy()`.
 * Aggregations skip records whose key or value is null and return a table updated per record.
 */
export class KGroupedStream<K, V> {
  /** The grouping, for the aggregations and cogroups built on it: through `groupedDef`. */
  readonly #def: GroupedStreamDef<K, V>;

  /** @internal Made by `groupBy`/`groupByKey`. */
  constructor(
    stream: KStream<K, V>,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    groupName: string | undefined,
    repartition: boolean,
  ) {
    this.#def = new GroupedStreamDef(stream, keySerde, valueSerde, groupName, repartition);
  }

  static {
    defOf = (grouped) => grouped.#def;
  }

  /**
   * The number of records per key, as a number (stored with the 8-byte Long serde).
   *
   * @example
   * words.groupBy((_k, word) => word).count({ materialized: 'counts-store' });
   */
  count(options: AggregateOptions<K, number> = {}): KTable<K, number> {
    // Kafka burns a generated name when count gets a Materialized without a store name (kept
    // for topology compatibility), so the numbering after it matches Kafka's.
    if (options.materialized !== undefined && materializedOptions(options.materialized).storeName === undefined)
      streamDef(this.#def.stream).builder.names.store('KSTREAM-AGGREGATE-');
    return this.#aggregate(
      'KSTREAM-AGGREGATE-',
      options,
      Serdes.LongNumber(),
      () => 0,
      (_k, _v, agg) => (agg ?? 0) + 1,
    );
  }

  /** Combines values per key: the first value is the aggregate, then `reducer(aggregate, value)`. */
  reduce(reducer: (aggregate: V, value: V) => V, options: AggregateOptions<K, V> = {}): KTable<K, V> {
    return this.#aggregate('KSTREAM-REDUCE-', options, this.#def.valueSerde, undefined, (_k, v, agg) =>
      agg === null ? v : reducer(agg, v),
    );
  }

  /** Folds values per key into an aggregate that starts as `initializer()`. */
  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    options: AggregateOptions<K, VA> = {},
  ): KTable<K, VA> {
    return this.#aggregate('KSTREAM-AGGREGATE-', options, undefined, initializer, (k, v, agg) =>
      aggregator(k, v, agg as VA),
    );
  }

  /**
   * Counts, reduces and aggregates per window (Kafka's `windowedBy`): the result is a table keyed
   * by `Windowed<K>`.
   *
   * @example
   * clicks.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count({ materialized: 'clicks-per-minute' });
   * views.groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(30 * 60_000)).count();
   */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    return windows instanceof SessionWindows
      ? new SessionWindowedKStream<K, V>(this, windows)
      : new TimeWindowedKStream<K, V>(this, windows);
  }

  /**
   * Starts a co-grouped aggregation (Kafka's `cogroup`): several grouped streams, each with its own
   * aggregator, folded into one aggregate per key in one store. Add the others with
   * `.cogroup(grouped, aggregator)`, then `aggregate` (or `windowedBy(...).aggregate`).
   *
   * @example
   * const totals = clicks.groupByKey()
   *   .cogroup((_user, _click, agg: Activity) => ({ ...agg, clicks: agg.clicks + 1 }))
   *   .cogroup(views.groupByKey(), (_user, _view, agg) => ({ ...agg, views: agg.views + 1 }))
   *   .aggregate(() => ({ clicks: 0, views: 0 }), { materialized: { storeName: 'activity', valueSerde: Serdes.Json() } });
   */
  cogroup<VOut>(aggregator: (key: K, value: V, aggregate: VOut) => VOut): CogroupedKStream<K, VOut> {
    return new CogroupedKStream<K, VOut>(this as KGroupedStream<K, unknown>, aggregator as never);
  }

  #aggregate<VA>(
    prefix: string,
    options: AggregateOptions<K, VA>,
    defaultValueSerde: Serde<VA> | undefined,
    initializer: (() => VA) | undefined,
    aggregator: (key: K, value: V, aggregate: VA | null) => VA,
  ): KTable<K, VA> {
    const b = streamDef(this.#def.stream).builder;
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? b.names.store(prefix);
    const name = options.name ?? b.names.processor(prefix);
    const parent = this.#def.repartitioned(storeName);
    const keySerde = m.keySerde ?? this.#def.keySerde;
    const valueSerde = m.valueSerde ?? defaultValueSerde;
    b.topology.addStore(storeBuilder(storeName, m, keySerde, valueSerde));
    b.addProcessor(name, kstreamAggregate(storeName, initializer, aggregator), [parent], [storeName]);
    return new KTable<K, VA>(b, name, keySerde, valueSerde, storeGetter(storeName), storeName);
  }
}
