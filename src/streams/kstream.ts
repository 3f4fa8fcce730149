import type { Observable } from 'rxjs';
import type { Serde } from '../serde/index.ts';
import { Serdes } from '../serde/index.ts';
import { TopologyError } from '../errors.ts';
import { BranchedKStream } from './branched-kstream.ts';
import type { DslBuilder } from './internal/dsl.ts';
import { sourceTable } from './builder.ts';
import { GlobalKTable } from './global-ktable.ts';
import { repartitionedSource, repartitionNames } from './internal/repartition.ts';
import { storeGetter } from './internal/table.ts';
import type { JoinWindows } from './join-windows.ts';
import { type StreamJoined, type StreamJoinMode, streamStreamJoin } from './stream-stream-join.ts';
import { KGroupedStream } from './kgrouped-stream.ts';
import { type KTable, tableDef } from './ktable.ts';
import { kstreamFilter } from './operators/filter.ts';
import { kstreamFlatMap } from './operators/flat-map.ts';
import { kstreamFlatMapValues } from './operators/flat-map-values.ts';
import { kstreamMap } from './operators/map.ts';
import { kstreamMapValues } from './operators/map-values.ts';
import { passThrough } from './operators/passthrough.ts';
import { kstreamPeek } from './operators/peek.ts';
import { kstreamPrint } from './operators/print.ts';
import type { Printed } from './printed.ts';
import { kstreamProcessValues } from './operators/process-values.ts';
import { kstreamSelectKey } from './operators/select-key.ts';
import { type JoinGraceBuffer, kstreamTableJoin } from './operators/stream-table-join.ts';
import { Stores } from './state/stores.ts';
import {
  type Grouped,
  type Joined,
  type Materialized,
  materializedOptions,
  type Named,
  type Produced,
  type Repartitioned,
} from './options.ts';
import type { FixedKeyProcessorSupplier, ProcessorSupplier, StreamRecord } from './processor.ts';
import { observeNode } from './rx.ts';
import type { KeyValue } from './state/key-value-store.ts';
import type { TopicNameExtractor } from './topology.ts';
import { printedOptions } from './printed.ts';

/** Not part of the API (not exported by src/index.ts): what a KStream stands for in the topology being built. */
export interface StreamDef<K, V> {
  readonly builder: DslBuilder;
  /** The node records of this stream come out of. */
  readonly nodeName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** The key changed since the source: grouping or joining must repartition first. */
  readonly repartitionRequired: boolean;
  /**
   * The source of the repartition topic this stream's joins read (Kafka's `KStreamImpl.repartitionNode`):
   * made by the first join that needs it, shared by the later ones not named otherwise.
   */
  joinRepartition?: string;
}

let defOf: <K, V>(stream: KStream<K, V>) => StreamDef<K, V>;

/** Not part of the API (not exported by src/index.ts): a stream's place in the topology, for the DSL's classes. */
export function streamDef<K, V>(stream: KStream<K, V>): StreamDef<K, V> {
  return defOf(stream);
}

/**
 * A record stream (Kafka's `KStream`): every record is an independent event. Operators return new
 * streams; nothing runs until the topology is started.
 *
 * @example
 * builder.stream('orders', { keySerde: Serdes.String(), valueSerde: Serdes.Json<Order>() })
 *   .filter((_id, order) => order.total > 100)
 *   .mapValues((order) => order.customer)
 *   .to('big-spenders');
 */
export class KStream<K, V> {
  /** Where the stream is in the topology being built: for the DSL, through `streamDef`. */
  readonly #def: StreamDef<K, V>;

  /** @internal Made by the builder and by operators: use `builder.stream()`. */
  constructor(
    builder: DslBuilder,
    nodeName: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    repartitionRequired: boolean,
  ) {
    this.#def = { builder, nodeName, keySerde, valueSerde, repartitionRequired };
  }

  static {
    defOf = (stream) => stream.#def;
  }

  #add<KR, VR>(
    prefix: string,
    named: Named | undefined,
    supplier: unknown,
    keySerde: Serde<KR> | undefined,
    valueSerde: Serde<VR> | undefined,
    keyChanged: boolean,
    stores: string[] = [],
  ): KStream<KR, VR> {
    const name = named?.name ?? this.#def.builder.names.processor(prefix);
    this.#def.builder.addProcessor(name, supplier, [this.#def.nodeName], stores);
    return new KStream<KR, VR>(
      this.#def.builder,
      name,
      keySerde,
      valueSerde,
      this.#def.repartitionRequired || keyChanged,
    );
  }

  /** Notes `stream`'s node as a key change for `topology.optimization` (Kafka's `keyChangingOperation`). */
  #keyChanging<KR, VR>(stream: KStream<KR, VR>): KStream<KR, VR> {
    this.#def.builder.optimizable.keyChanging.add(streamDef(stream).nodeName);
    return stream;
  }

  /** Notes `stream`'s node as a value change: a repartition below it is not merged with others. */
  #valueChanging<KR, VR>(stream: KStream<KR, VR>): KStream<KR, VR> {
    this.#def.builder.optimizable.valueChanging.add(streamDef(stream).nodeName);
    return stream;
  }

  /** Keeps the records `predicate` accepts. */
  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.#add(
      'KSTREAM-FILTER-',
      named,
      kstreamFilter(predicate, false),
      this.#def.keySerde,
      this.#def.valueSerde,
      false,
    );
  }

  /** Drops the records `predicate` accepts. */
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.#add(
      'KSTREAM-FILTER-',
      named,
      kstreamFilter(predicate, true),
      this.#def.keySerde,
      this.#def.valueSerde,
      false,
    );
  }

  /** A new key and value per record; marks the stream for repartitioning. */
  map<KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>, named?: Named): KStream<KR, VR> {
    return this.#keyChanging(this.#add('KSTREAM-MAP-', named, kstreamMap(mapper), undefined, undefined, true));
  }

  /** A new value per record; the key (and partitioning) stay. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR> {
    return this.#valueChanging(
      this.#add('KSTREAM-MAPVALUES-', named, kstreamMapValues(mapper), this.#def.keySerde, undefined, false),
    );
  }

  /** Zero or more records per record, each with its own key. */
  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>, named?: Named): KStream<KR, VR> {
    return this.#keyChanging(this.#add('KSTREAM-FLATMAP-', named, kstreamFlatMap(mapper), undefined, undefined, true));
  }

  /** Zero or more values per record, each with the record's key. */
  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR> {
    return this.#valueChanging(
      this.#add('KSTREAM-FLATMAPVALUES-', named, kstreamFlatMapValues(mapper), this.#def.keySerde, undefined, false),
    );
  }

  /** A new key per record, the value unchanged; marks the stream for repartitioning. */
  selectKey<KR>(mapper: (key: K, value: V) => KR, named?: Named): KStream<KR, V> {
    return this.#keyChanging(
      this.#add('KSTREAM-KEY-SELECT-', named, kstreamSelectKey(mapper), undefined, this.#def.valueSerde, true),
    );
  }

  /** Calls `action` on every record and passes the stream on unchanged. */
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.#add(
      'KSTREAM-PEEK-',
      named,
      kstreamPeek(action, true),
      this.#def.keySerde,
      this.#def.valueSerde,
      false,
    );
  }

  /**
   * Prints every record as `[label]: key, value` (Kafka's `print`), to standard output, a file, or
   * a function; a terminal operation meant for debugging.
   *
   * @example
   * stream.print(Printed.toSysOut<string, number>().withLabel('counts'));
   */
  print(printed: Printed<K, V>): void {
    const name = printedOptions(printed).name ?? this.#def.builder.names.processor('KSTREAM-PRINTER-');
    this.#def.builder.addProcessor(name, kstreamPrint(printed, name), [this.#def.nodeName]);
  }

  /** Calls `action` on every record; a terminal operation. */
  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.#add('KSTREAM-FOREACH-', named, kstreamPeek(action, false), undefined, undefined, false);
  }

  /**
   * Splits the stream by predicates (Kafka's `split()`): each record goes to the first branch whose
   * predicate it matches.
   *
   * @example
   * const branches = stream.split({ name: 'split-' })
   *   .branch((_k, v) => v > 0, { name: 'positive' })
   *   .defaultBranch({ name: 'other' });
   * branches.get('split-positive')!.to('positives');
   */
  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStream<K, V>(this, named?.name);
  }

  /** Both streams' records in one stream. */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const name = named?.name ?? this.#def.builder.names.processor('KSTREAM-MERGE-');
    this.#def.builder.addProcessor(name, passThrough(), [this.#def.nodeName, streamDef(other).nodeName]);
    this.#def.builder.optimizable.mergeNodes.push(name);
    return new KStream<K, V>(
      this.#def.builder,
      name,
      this.#def.keySerde,
      this.#def.valueSerde,
      this.#def.repartitionRequired || streamDef(other).repartitionRequired,
    );
  }

  /**
   * Writes the stream to a topic, or to the topic `extractor` picks per record. Keyed records go
   * to Kafka's default partition for their key unless a partitioner says otherwise.
   */
  to(topic: string | TopicNameExtractor<K, V>, produced: Produced<K, V> = {}): void {
    const name = produced.name ?? this.#def.builder.names.processor('KSTREAM-SINK-');
    const keySerde = produced.keySerde ?? this.#def.keySerde;
    const valueSerde = produced.valueSerde ?? this.#def.valueSerde;
    this.#def.builder.topology.addNode({
      kind: 'sink',
      name,
      topic: topic as string | TopicNameExtractor<unknown, unknown>,
      ...(keySerde !== undefined ? { keySerde: keySerde as Serde<unknown> } : {}),
      ...(valueSerde !== undefined ? { valueSerde: valueSerde as Serde<unknown> } : {}),
      ...(produced.partitioner !== undefined ? { partitioner: produced.partitioner as never } : {}),
      parents: [this.#def.nodeName],
    });
  }

  /**
   * Writes the stream through an internal topic `<applicationId>-<name>-repartition` and reads it
   * back, so records are partitioned by their current key.
   */
  repartition(options: Repartitioned<K, V> = {}): KStream<K, V> {
    const base = options.name ?? this.#def.builder.names.processor('KSTREAM-REPARTITION-');
    const keySerde = options.keySerde ?? this.#def.keySerde;
    const valueSerde = options.valueSerde ?? this.#def.valueSerde;
    const { source } = repartitionedSource(this.#def.builder, this.#def.nodeName, base, {
      keySerde,
      valueSerde,
      numPartitions: options.numberOfPartitions,
      partitioner: options.partitioner,
    });
    return new KStream<K, V>(this.#def.builder, source, keySerde, valueSerde, false);
  }

  /** The stream read as a changelog: a table of the latest value per key (null deletes). */
  toTable(options: { name?: string; materialized?: Materialized<K, V> } = {}): KTable<K, V> {
    const name = options.name ?? this.#def.builder.names.processor('KSTREAM-TOTABLE-');
    const m = materializedOptions(options.materialized);
    const storeName = m.storeName ?? this.#def.builder.names.store('KSTREAM-TOTABLE-');
    const keySerde = m.keySerde ?? this.#def.keySerde;
    const valueSerde = m.valueSerde ?? this.#def.valueSerde;
    // As Kafka's toTable: the repartition topic is named after the table's node.
    const parent = this.#def.repartitionRequired
      ? optimizableRepartition(this.#def.builder, this.#def.nodeName, name, keySerde, valueSerde).source
      : this.#def.nodeName;
    // Kept in a store when named (queryable), else once something needs it, as builder.table().
    return sourceTable(this.#def.builder, name, parent, storeName, m, keySerde, valueSerde);
  }

  /**
   * Runs a processor on every record (Kafka's Processor API): it may forward any key and value,
   * use the named stores (added with `builder.addStateStore`) and schedule punctuators.
   */
  process<KR, VR>(
    supplier: ProcessorSupplier<K, V, KR, VR>,
    ...stores: [Named, ...string[]] | string[]
  ): KStream<KR, VR> {
    const [named, storeNames] = namedAndStores(stores);
    return this.#add('KSTREAM-PROCESSOR-', named, supplier, undefined, undefined, true, storeNames);
  }

  /** Like {@link process}, but the processor may only change values, so no repartitioning is needed. */
  processValues<VR>(
    supplier: FixedKeyProcessorSupplier<K, V, VR>,
    ...stores: [Named, ...string[]] | string[]
  ): KStream<K, VR> {
    const [named, storeNames] = namedAndStores(stores);
    return this.#add(
      'KSTREAM-PROCESSVALUES-',
      named,
      kstreamProcessValues(supplier),
      this.#def.keySerde,
      undefined,
      false,
      storeNames,
    );
  }

  /** Groups by the current key, repartitioning first if the key was changed upstream. */
  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>(
      this,
      grouped.keySerde ?? this.#def.keySerde,
      grouped.valueSerde ?? this.#def.valueSerde,
      grouped.name,
      this.#def.repartitionRequired,
    );
  }

  /** Groups by a new key; always repartitions (through `<applicationId>-<name>-repartition`). */
  groupBy<KR>(selector: (key: K, value: V) => KR, grouped: Grouped<KR, V> = {}): KGroupedStream<KR, V> {
    const selected = this.#keyChanging(
      this.#add<KR, V>(
        'KSTREAM-KEY-SELECT-',
        undefined,
        kstreamSelectKey(selector),
        grouped.keySerde,
        this.#def.valueSerde,
        true,
      ),
    );
    return new KGroupedStream<KR, V>(
      selected,
      grouped.keySerde,
      grouped.valueSerde ?? this.#def.valueSerde,
      grouped.name,
      true,
    );
  }

  /**
   * Windowed inner join with another stream (Kafka's KStream-KStream join): records of the same key
   * whose timestamps are within `windows` of each other join, stamped with the later timestamp.
   *
   * @example
   * impressions.join(clicks, (imp, click) => `${imp}/${click}`, JoinWindows.ofTimeDifferenceWithNoGrace(60_000));
   */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO, key: K) => VR,
    windows: JoinWindows,
    joined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  /** Inner join with a table: each record meets the table's current value for its key; no value, no output. */
  join<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT, key: K) => VR,
    joined?: Joined<K, V, VT>,
  ): KStream<K, VR>;
  /** Inner join with a global table, looked up by the key `keySelector` picks. */
  join<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, globalValue: VG, key: K) => VR,
    named?: Named,
  ): KStream<K, VR>;
  join(
    table: KTable<K, unknown> | GlobalKTable<unknown, unknown> | KStream<K, unknown>,
    a: unknown,
    b?: unknown,
    c?: unknown,
  ): KStream<K, unknown> {
    if (table instanceof KStream) return this.#streamJoin(table, a, b as JoinWindows, c, 'inner');
    return this.#join(table, a, b, c, false);
  }

  /**
   * Windowed outer join with another stream: joined pairs as `join` gives them, and each record of
   * either side that found no match within its window, with null for the other side, once the
   * window has closed (stream time past it plus grace), as Kafka emits them.
   */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V | null, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    joined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR> {
    return this.#streamJoin(other as unknown as KStream<K, unknown>, joiner, windows, joined, 'outer') as KStream<
      K,
      VR
    >;
  }

  #streamJoin(
    other: KStream<K, unknown>,
    joiner: unknown,
    windows: JoinWindows,
    joined: unknown,
    mode: StreamJoinMode,
  ): KStream<K, unknown> {
    const j = joiner as (v: unknown, o: unknown, k: K) => unknown;
    return streamStreamJoin(
      this,
      other,
      (k, l, r) => j(l, r, k),
      windows,
      mode,
      (joined ?? {}) as StreamJoined<K, V, unknown>,
    );
  }

  /**
   * Windowed left join with another stream: joined pairs as `join` gives them, and each record of
   * this stream that found no match, with null for the other side, once its window has closed.
   */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: (value: V, otherValue: VO | null, key: K) => VR,
    windows: JoinWindows,
    joined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  /** Left join with a table: every record is output, with a null table value when there is none. */
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: (value: V, tableValue: VT | null, key: K) => VR,
    joined?: Joined<K, V, VT>,
  ): KStream<K, VR>;
  /** Left join with a global table. */
  leftJoin<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: (value: V, globalValue: VG | null, key: K) => VR,
    named?: Named,
  ): KStream<K, VR>;
  leftJoin(
    table: KTable<K, unknown> | GlobalKTable<unknown, unknown> | KStream<K, unknown>,
    a: unknown,
    b?: unknown,
    c?: unknown,
  ): KStream<K, unknown> {
    if (table instanceof KStream) return this.#streamJoin(table, a, b as JoinWindows, c, 'left');
    return this.#join(table, a, b, c, true);
  }

  #join(
    table: KTable<K, unknown> | GlobalKTable<unknown, unknown>,
    a: unknown,
    b: unknown,
    c: unknown,
    left: boolean,
  ): KStream<K, unknown> {
    const prefix = left ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-';
    type Joiner = (v: V, t: unknown, k: K) => unknown;
    if (table instanceof GlobalKTable) {
      const supplier = kstreamTableJoin(
        storeGetter<unknown, unknown>(table.queryableStoreName),
        a as (k: K, v: V) => unknown,
        b as Joiner,
        left,
      );
      const name = (c as Named | undefined)?.name ?? this.#def.builder.names.processor(prefix);
      this.#def.builder.addProcessor(name, supplier, [this.#def.nodeName]);
      return new KStream(this.#def.builder, name, this.#def.keySerde, undefined, this.#def.repartitionRequired);
    }
    const joined = (b ?? {}) as Joined<K, V, unknown>;
    const stream = this.#def.repartitionRequired
      ? repartitionForJoin(this, joined.name ?? this.#def.nodeName, joined.keySerde, joined.valueSerde)
      : this;
    const grace = joined.gracePeriodMs ?? 0;
    if (!(Number.isSafeInteger(grace) && grace >= 0))
      throw new TopologyError(`a join's grace period must be a non-negative integer of ms, got ${grace}`);
    if (grace > 0 && tableDef(table).getter.versioned !== true)
      throw new TopologyError('KTable must be versioned to use a grace period in a stream table join.');
    const name = joined.name ?? this.#def.builder.names.processor(prefix);
    const stores = [...tableDef(table).getter.storeNames];
    let buffer: JoinGraceBuffer<K, V> | undefined;
    if (grace > 0) {
      // Kafka's buffer store: `<join name>-Buffer`, with a changelog.
      buffer = {
        storeName: `${name}-Buffer`,
        graceMs: grace,
        keySerde: joined.keySerde ?? streamDef(stream).keySerde,
        valueSerde: joined.valueSerde ?? streamDef(stream).valueSerde,
      };
      const bytes = Serdes.ByteArray();
      this.#def.builder.topology.addStore(
        Stores.keyValueStoreBuilder(
          Stores.persistentKeyValueStore(buffer.storeName),
          bytes,
          bytes,
        ).withCachingDisabled() as never,
      );
      stores.push(buffer.storeName);
    }
    const supplier = kstreamTableJoin(tableDef(table).getter, (k: K) => k, a as Joiner, left, buffer);
    this.#def.builder.copartition(streamDef(stream).nodeName, tableDef(table).nodeName);
    return stream.#add(prefix, { ...joined, name }, supplier, this.#def.keySerde, undefined, false, stores);
  }

  /**
   * The stream's records as an rxjs `Observable`, emitted synchronously while a task processes them
   * (a hot source: subscribe before starting). rxjs has no back-pressure: a subscriber's synchronous
   * work slows processing down, its asynchronous work is not waited for. Buffer or sample downstream.
   */
  toObservable(): Observable<StreamRecord<K, V>> {
    return observeNode<K, V>(this.#def.builder, this.#def.nodeName);
  }
}

/** `process(supplier, named?, ...storeNames)`: a leading object is the node's `Named`. */
function namedAndStores(args: [Named, ...string[]] | string[]): [Named | undefined, string[]] {
  if (args.length > 0 && typeof args[0] === 'object') return [args[0] as Named, args.slice(1) as string[]];
  return [undefined, args as string[]];
}

/** A repartition `topology.optimization` may merge (Kafka's OptimizableRepartitionNode): a join's or a table's. */
function optimizableRepartition(
  builder: DslBuilder,
  parent: string,
  prefix: string,
  keySerde: Serde<unknown> | undefined,
  valueSerde: Serde<unknown> | undefined,
): { source: string } {
  const made = repartitionedSource(builder, parent, prefix, { keySerde, valueSerde });
  builder.optimizable.repartitions.push({ parent, ...made });
  return made;
}

/**
 * @internal Kafka's `KStreamImpl.repartitionForJoin`: the stream as a join reads it, through a
 * repartition topic named `<name>-repartition`. Each call uses up its names, but a stream's joins
 * share the topic its first join made unless a join names its own (`name` other than the stream's node).
 */
export function repartitionForJoin<K, V>(
  stream: KStream<K, V>,
  name: string,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): KStream<K, V> {
  const def = streamDef(stream);
  const k = keySerde ?? def.keySerde;
  const v = valueSerde ?? def.valueSerde;
  if (def.joinRepartition !== undefined && def.nodeName === name) {
    // Shared: the names this join would have given still get used up, as Kafka's do.
    repartitionNames(def.builder, name);
  } else {
    def.joinRepartition = optimizableRepartition(def.builder, def.nodeName, name, k, v).source;
  }
  return new KStream<K, V>(def.builder, def.joinRepartition, k, v, false);
}
