import { TopologyError } from '../errors.ts';
import { Serdes } from '../serde/index.ts';
import type { Serde } from '../serde/index.ts';
import type { ValueGetterSupplier } from './internal/table.ts';
import type { KGroupedStream } from './kgrouped-stream.ts';
import { KTable } from './ktable.ts';
import { kstreamWindowAggregate } from './operators/window-aggregate.ts';
import type { AggregateOptions } from './kgrouped-stream.ts';
import { materializedOptions } from './options.ts';
import { Stores } from './state/stores.ts';
import type { MeteredWindowStore } from './state/window-store.ts';
import { WindowedSerdes } from './state/windowed-serdes.ts';
import type { TimeWindows, Windowed } from './windows.ts';

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
  readonly #windows: TimeWindows;

  /** @internal */
  constructor(grouped: KGroupedStream<K, V>, windows: TimeWindows) {
    this.#grouped = grouped;
    this.#windows = windows;
  }

  /** The number of records per key and window. */
  count(options: AggregateOptions<K, number> = {}): KTable<Windowed<K>, number> {
    return this.#aggregate('KSTREAM-AGGREGATE-', options, Serdes.LongNumber(), () => 0, (_k, _v, agg) => (agg ?? 0) + 1);
  }

  /** Combines the values of a key in a window: the first is the aggregate, then `reducer(aggregate, value)`. */
  reduce(reducer: (aggregate: V, value: V) => V, options: AggregateOptions<K, V> = {}): KTable<Windowed<K>, V> {
    return this.#aggregate('KSTREAM-REDUCE-', options, this.#grouped.serdes.valueSerde, undefined, (_k, v, agg) => (agg === null ? v : reducer(agg, v)));
  }

  /** Folds the values of a key in a window into an aggregate that starts as `initializer()`. */
  aggregate<VA>(initializer: () => VA, aggregator: (key: K, value: V, aggregate: VA) => VA, options: AggregateOptions<K, VA> = {}): KTable<Windowed<K>, VA> {
    return this.#aggregate('KSTREAM-AGGREGATE-', options, undefined, initializer, (k, v, agg) => aggregator(k, v, agg as VA));
  }

  #aggregate<VA>(
    prefix: string,
    options: AggregateOptions<K, VA>,
    defaultValueSerde: Serde<VA> | undefined,
    initializer: (() => VA) | undefined,
    aggregator: (key: K, value: V, aggregate: VA | null) => VA,
  ): KTable<Windowed<K>, VA> {
    const b = this.#grouped.builder;
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? b.names.store(prefix);
    const name = options.name ?? b.names.processor(prefix);
    const parent = this.#grouped.repartitioned(storeName);
    const w = this.#windows;
    const minimum = w.sizeMs + w.graceMs;
    const retention = m.retentionMs ?? minimum;
    if (retention < minimum) {
      throw new TopologyError(`store ${storeName}: retention (${retention} ms) must be at least window size + grace (${minimum} ms)`, { store: storeName });
    }
    const supplier =
      m.storeType === 'in-memory' ? Stores.inMemoryWindowStore(storeName, retention, w.sizeMs) : Stores.persistentWindowStore(storeName, retention, w.sizeMs);
    const keySerde = m.keySerde ?? this.#grouped.serdes.keySerde;
    const valueSerde = m.valueSerde ?? defaultValueSerde;
    const store = Stores.windowStoreBuilder(supplier, keySerde, valueSerde);
    if (m.loggingEnabled === false) store.withLoggingDisabled();
    b.addStateStore(store);
    b.addProcessor(name, kstreamWindowAggregate(storeName, w, initializer, aggregator), [parent], [storeName]);
    const windowedKeySerde = keySerde === undefined ? undefined : WindowedSerdes.timeWindowedSerdeFrom(keySerde, w.sizeMs);
    const table = new KTable<Windowed<K>, VA>(b, name, windowedKeySerde, valueSerde, windowGetter<K, VA>(storeName), storeName);
    table.windowCloseMs = w.graceMs;
    return table;
  }
}

/** A table getter over a window store: a windowed key's value is its window's. */
function windowGetter<K, V>(storeName: string): ValueGetterSupplier<Windowed<K>, V> {
  return {
    storeNames: [storeName],
    init(ctx) {
      const store = ctx.getStateStore<MeteredWindowStore<K, V>>(storeName);
      return (windowed) => store.fetchWithTimestamp(windowed.key, windowed.window.start);
    },
  };
}
