import { TopologyError } from '../errors.ts';
import { Serdes } from '../serde/index.ts';
import type { Serde } from '../serde/index.ts';
import { EmitStrategy } from './emit-strategy.ts';
import type { Change } from './internal/change.ts';
import type { ValueGetterSupplier } from './internal/table.ts';
import type { KGroupedStream } from './kgrouped-stream.ts';
import { KTable, tableDef } from './ktable.ts';
import { kstreamSlidingAggregate } from './operators/sliding-aggregate.ts';
import { kstreamWindowAggregate } from './operators/window-aggregate.ts';
import type { ProcessorSupplier } from './processor.ts';
import type { AggregateOptions } from './kgrouped-stream.ts';
import { type MaterializedOptions, materializedOptions } from './options.ts';
import { Stores } from './state/stores.ts';
import type { MeteredWindowStore, WindowStoreBuilder } from './state/window-store.ts';
import { WindowedSerdes } from './state/windowed-serdes.ts';
import { SlidingWindows, type TimeWindows, type Windowed } from './windows.ts';
import { groupedDef } from './kgrouped-stream.ts';

/**
 * A grouped stream cut into time windows (Kafka's `TimeWindowedKStream`), made by
 * `groupByKey().windowedBy(TimeWindows...)`. Its aggregations keep one value per key and window in a
 * window store and return a `KTable<Windowed<K>, V>` updated per record.
 *
 * @example
 * builder.stream<string, string>('clicks', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
 *   .groupByKey()
 *   .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000))
 *   .count({ materialized: 'clicks-per-minute' })
 *   .toStream()
 *   .to('clicks-per-minute', { keySerde: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 60_000), valueSerde: Serdes.LongNumber() });
 */
export class TimeWindowedKStream<K, V> {
  readonly #grouped: KGroupedStream<K, V>;
  readonly #windows: TimeWindows | SlidingWindows;
  #emitStrategy = EmitStrategy.onWindowUpdate();

  /** @internal */
  constructor(grouped: KGroupedStream<K, V>, windows: TimeWindows | SlidingWindows) {
    this.#grouped = grouped;
    this.#windows = windows;
  }

  /**
   * When the aggregations made after this call emit (Kafka's `emitStrategy`): every update
   * (`EmitStrategy.onWindowUpdate()`, the default) or each window once, when it closes
   * (`EmitStrategy.onWindowClose()`). Returns this stream.
   *
   * @example
   * grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).emitStrategy(EmitStrategy.onWindowClose()).count();
   */
  emitStrategy(emitStrategy: EmitStrategy): this {
    if (!(emitStrategy instanceof EmitStrategy))
      throw new TypeError('emitStrategy takes EmitStrategy.onWindowClose() or EmitStrategy.onWindowUpdate()');
    this.#emitStrategy = emitStrategy;
    return this;
  }

  /** The number of records per key and window. */
  count(options: AggregateOptions<K, number> = {}): KTable<Windowed<K>, number> {
    // Kafka's time-windowed count burns a generated name when it gets a Materialized without a
    // store name (kept for topology compatibility), so the numbering after it matches Kafka's; its
    // sliding-windowed count does not.
    if (
      !(this.#windows instanceof SlidingWindows) &&
      options.materialized !== undefined &&
      materializedOptions(options.materialized).storeName === undefined
    )
      groupedDef(this.#grouped).builder.names.store('KSTREAM-AGGREGATE-');
    return this.#aggregate(
      'KSTREAM-AGGREGATE-',
      options,
      Serdes.LongNumber(),
      () => 0,
      (_k, _v, agg) => (agg ?? 0) + 1,
    );
  }

  /** Combines the values of a key in a window: the first is the aggregate, then `reducer(aggregate, value)`. */
  reduce(reducer: (aggregate: V, value: V) => V, options: AggregateOptions<K, V> = {}): KTable<Windowed<K>, V> {
    return this.#aggregate(
      'KSTREAM-REDUCE-',
      options,
      groupedDef(this.#grouped).serdes.valueSerde,
      undefined,
      (_k, v, agg) => (agg === null ? v : reducer(agg, v)),
    );
  }

  /** Folds the values of a key in a window into an aggregate that starts as `initializer()`. */
  aggregate<VA>(
    initializer: () => VA,
    aggregator: (key: K, value: V, aggregate: VA) => VA,
    options: AggregateOptions<K, VA> = {},
  ): KTable<Windowed<K>, VA> {
    return this.#aggregate('KSTREAM-AGGREGATE-', options, undefined, initializer, (k, v, agg) =>
      aggregator(k, v, agg as VA),
    );
  }

  #aggregate<VA>(
    prefix: string,
    options: AggregateOptions<K, VA>,
    defaultValueSerde: Serde<VA> | undefined,
    initializer: (() => VA) | undefined,
    aggregator: (key: K, value: V, aggregate: VA | null) => VA,
  ): KTable<Windowed<K>, VA> {
    const b = groupedDef(this.#grouped).builder;
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? b.names.store(prefix);
    const name = options.name ?? b.names.processor(prefix);
    const parent = groupedDef(this.#grouped).repartitioned(storeName);
    const w = this.#windows;
    const keySerde = m.keySerde ?? groupedDef(this.#grouped).serdes.keySerde;
    const valueSerde = m.valueSerde ?? defaultValueSerde;
    const emitOnClose = this.#emitStrategy.type === 'ON_WINDOW_CLOSE';
    const { store, sizeMs, closeMs } = windowedAggregateStore(storeName, w, m, keySerde, valueSerde, emitOnClose);
    b.addStateStore(store);
    b.addProcessor(name, windowedAggregate(storeName, w, initializer, aggregator, emitOnClose), [parent], [storeName]);
    const windowedKeySerde =
      keySerde === undefined ? undefined : WindowedSerdes.timeWindowedSerdeFrom(keySerde, sizeMs);
    const table = new KTable<Windowed<K>, VA>(
      b,
      name,
      windowedKeySerde,
      valueSerde,
      windowGetter<K, VA>(storeName),
      storeName,
    );
    tableDef(table).windowCloseMs = closeMs;
    return table;
  }
}

/**
 * @internal The window store of a time or sliding windowed aggregation, plain or co-grouped
 * (Kafka's WindowStoreMaterializer and SlidingWindowStoreMaterializer): the retention checked
 * against the windows (a sliding window is made from the windows up to two time differences before
 * its record), the persistent store time-ordered when it emits on close, logging and caching as
 * `m` asks (Kafka caches no sliding store that emits on close). Also the window size its windowed
 * keys carry and how long after its end a window closes (a sliding window's end is inclusive: one
 * ms later than a time window ending there).
 */
export function windowedAggregateStore<K, V>(
  storeName: string,
  w: TimeWindows | SlidingWindows,
  m: MaterializedOptions<K, V>,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  emitOnClose: boolean,
): { store: WindowStoreBuilder<K, V>; sizeMs: number; closeMs: number } {
  const sliding = w instanceof SlidingWindows;
  const sizeMs = sliding ? w.timeDifferenceMs : w.sizeMs;
  const minimum = sliding ? 2 * sizeMs + w.graceMs : sizeMs + w.graceMs;
  const retention = m.retentionMs ?? minimum;
  if (retention < minimum) {
    throw new TopologyError(
      sliding
        ? `store ${storeName}: retention (${retention} ms) must be at least 2 * time difference + grace (${minimum} ms)`
        : `store ${storeName}: retention (${retention} ms) must be at least window size + grace (${minimum} ms)`,
      { store: storeName },
    );
  }
  const supplier =
    m.storeType === 'in-memory'
      ? Stores.inMemoryWindowStore(storeName, retention, sizeMs)
      : { ...Stores.persistentWindowStore(storeName, retention, sizeMs), timeOrdered: emitOnClose };
  const store = Stores.windowStoreBuilder(supplier, keySerde, valueSerde);
  if (m.loggingEnabled === false) store.withLoggingDisabled();
  // Cached as Kafka's materialized windowed aggregations are: one change per window per commit.
  if (m.cachingEnabled !== false && !(sliding && emitOnClose)) store.withCachingEnabled();
  return { store, sizeMs, closeMs: w.graceMs + (sliding ? 1 : 0) };
}

/** @internal The aggregating processor of time or sliding windows. */
export function windowedAggregate<K, V, VA>(
  storeName: string,
  w: TimeWindows | SlidingWindows,
  initializer: (() => VA) | undefined,
  aggregator: (key: K, value: V, aggregate: VA | null) => VA,
  emitOnClose = false,
): ProcessorSupplier<K, V, Windowed<K>, Change<VA>> {
  return w instanceof SlidingWindows
    ? kstreamSlidingAggregate(storeName, w, initializer, aggregator, emitOnClose)
    : kstreamWindowAggregate(storeName, w, initializer, aggregator, emitOnClose);
}

/** A table getter over a window store: a windowed key's value is its window's. */
/** @internal */
export function windowGetter<K, V>(storeName: string): ValueGetterSupplier<Windowed<K>, V> {
  return {
    storeNames: [storeName],
    init(ctx) {
      const store = ctx.getStateStore<MeteredWindowStore<K, V>>(storeName);
      return (windowed) => store.fetchWithTimestamp(windowed.key, windowed.window.start);
    },
  };
}
