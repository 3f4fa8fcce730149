import { TopologyError } from '../errors.ts';
import { Serdes } from '../serde/index.ts';
import type { Serde } from '../serde/index.ts';
import type { ValueGetterSupplier } from './internal/table.ts';
import type { KGroupedStream } from './kgrouped-stream.ts';
import { KTable, tableDef } from './ktable.ts';
import { type ArrivedValue, kstreamSlidingAggregate } from './operators/sliding-aggregate.ts';
import { kstreamWindowAggregate } from './operators/window-aggregate.ts';
import type { AggregateOptions } from './kgrouped-stream.ts';
import { materializedOptions } from './options.ts';
import { Stores } from './state/stores.ts';
import type { MeteredWindowStore } from './state/window-store.ts';
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

  /** @internal */
  constructor(grouped: KGroupedStream<K, V>, windows: TimeWindows | SlidingWindows) {
    this.#grouped = grouped;
    this.#windows = windows;
  }

  /** The number of records per key and window. */
  count(options: AggregateOptions<K, number> = {}): KTable<Windowed<K>, number> {
    // Kafka burns a generated name when count gets a Materialized without a store name (kept
    // for topology compatibility), so the numbering after it matches Kafka's.
    if (options.materialized !== undefined && materializedOptions(options.materialized).storeName === undefined)
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
    const sliding = w instanceof SlidingWindows;
    const sizeMs = sliding ? w.timeDifferenceMs : w.sizeMs;
    // A sliding window store must keep a window one ms longer: right windows start after their record.
    const minimum = sizeMs + w.graceMs + (sliding ? 1 : 0);
    const retention = m.retentionMs ?? minimum;
    if (retention < minimum) {
      throw new TopologyError(
        `store ${storeName}: retention (${retention} ms) must be at least window size + grace (${minimum} ms)`,
        { store: storeName },
      );
    }
    const inMemory = m.storeType === 'in-memory';
    const windowStore = (n: string, dup: boolean) =>
      inMemory
        ? Stores.inMemoryWindowStore(n, retention, sizeMs, dup)
        : Stores.persistentWindowStore(n, retention, sizeMs, dup);
    const keySerde = m.keySerde ?? groupedDef(this.#grouped).serdes.keySerde;
    const valueSerde = m.valueSerde ?? defaultValueSerde;
    const store = Stores.windowStoreBuilder(windowStore(storeName, false), keySerde, valueSerde);
    if (m.loggingEnabled === false) store.withLoggingDisabled();
    // Cached as Kafka's materialized windowed aggregations are: one change per window per commit.
    if (m.cachingEnabled !== false) store.withCachingEnabled();
    b.addStateStore(store);
    if (w instanceof SlidingWindows) {
      // The records themselves, for windows made after them (see kstreamSlidingAggregate).
      const recordsName = `${storeName}-records`;
      const inputSerde = groupedDef(this.#grouped).serdes.valueSerde;
      const records = Stores.windowStoreBuilder(
        windowStore(recordsName, true),
        keySerde,
        inputSerde === undefined ? undefined : arrivedSerde(inputSerde),
      );
      if (m.loggingEnabled === false) records.withLoggingDisabled();
      b.addStateStore(records);
      b.addProcessor(
        name,
        kstreamSlidingAggregate(storeName, recordsName, w, initializer, aggregator),
        [parent],
        [storeName, recordsName],
      );
    } else {
      b.addProcessor(name, kstreamWindowAggregate(storeName, w, initializer, aggregator), [parent], [storeName]);
    }
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
    // A sliding window's end is inclusive: it closes one ms later than a time window ending there.
    tableDef(table).windowCloseMs = w.graceMs + (sliding ? 1 : 0);
    return table;
  }
}

/** A value with its arrival number: 8-byte big-endian sequence, then the value's bytes. */
function arrivedSerde<V>(inner: Serde<V>): Serde<ArrivedValue<V>> {
  return {
    serialize(topic, a) {
      if (a === null) return null;
      const raw = inner.serialize(topic, a.value) ?? new Uint8Array();
      const out = new Uint8Array(8 + raw.length);
      new DataView(out.buffer).setBigInt64(0, BigInt(a.seq));
      out.set(raw, 8);
      return out;
    },
    deserialize(topic, data) {
      if (data === null) return null;
      const seq = Number(new DataView(data.buffer, data.byteOffset, data.byteLength).getBigInt64(0));
      return { seq, value: inner.deserialize(topic, data.subarray(8)) as V };
    },
  };
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
