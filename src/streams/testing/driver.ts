import { TributaryError } from '../../errors.ts';
import { ManualClock } from '../../clock.ts';
import type { LogHeader, LogRecord } from '../../log/index.ts';
import { defaultPartition } from '../../protocol/index.ts';
import type { Serde } from '../../serde/index.ts';
import {
  StreamTask,
  type DeserializationExceptionHandler,
  type ProcessingExceptionHandler,
  type ProductionExceptionHandler,
  type TaskEnv,
} from '../internal/task.ts';
import type { TimestampExtractor } from '../processor.ts';
import { internalTopicPartitions } from '../internal/topics.ts';
import { CompositeReadOnlyStore } from '../internal/composite-store.ts';
import { CacheBudget } from '../state/caching-store.ts';
import type { KeyValue, KeyValueStore, ReadOnlyKeyValueStore } from '../state/key-value-store.ts';
import type { MeteredKeyValueStore } from '../state/metered-store.ts';
import { type TimestampedKeyValueStore, timestampedView } from '../state/timestamped-store.ts';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.ts';
import type { MeteredWindowStore } from '../state/window-store.ts';
import type { MeteredSessionStore } from '../state/session-store.ts';
import type { TopologyGraph } from '../internal/topology-graph.ts';
import { type Topology, topologyGraph } from '../topology.ts';
import { type StreamsMetric, taskMetrics } from '../streams-metrics.ts';

// What the test topics below reach inside their driver; set by TopologyTestDriver's static block.
let driverPipe: (
  driver: TopologyTestDriver,
  topic: string,
  key: Uint8Array | null,
  value: Uint8Array | null,
  timestamp: number,
  partition: number | undefined,
  headers: LogHeader[],
) => void;
let driverRead: (driver: TopologyTestDriver, topic: string) => Stored | undefined;
let driverQueued: (driver: TopologyTestDriver, topic: string) => number;

/** Options of a {@link TopologyTestDriver}. */
export interface TopologyTestDriverOptions {
  /** Default `test`: prefixes internal topics and changelogs, as in a real run. */
  applicationId?: string;
  /** Partitions of every topic (default 1), or per topic name; internal topics follow their sources. */
  partitions?: number | Record<string, number>;
  /** The wall-clock start, in ms. Default 0. */
  startTimeMs?: number;
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
  /** Default 'FAIL'. */
  deserializationExceptionHandler?: DeserializationExceptionHandler;
  /** Kafka's `default.timestamp.extractor` (see `StreamsConfig.defaultTimestampExtractor`). */
  defaultTimestampExtractor?: TimestampExtractor;
  /** Kafka's `processing.exception.handler` (see `StreamsConfig.processingExceptionHandler`). */
  processingExceptionHandler?: ProcessingExceptionHandler;
  /**
   * Kafka's `production.exception.handler` (see `StreamsConfig.productionExceptionHandler`): its
   * `handleSerializationException` is asked here; `handle` never is, since the driver's output
   * topics refuse no record (nor do those of Kafka's TopologyTestDriver).
   */
  productionExceptionHandler?: ProductionExceptionHandler;
  /**
   * Bytes of record cache for the whole app (Kafka's `statestore.cache.max.bytes`), default 10 MiB;
   * 0 turns caching off, so every update of a table is forwarded, not just the last per commit.
   */
  cacheMaxBytes?: number;
  /**
   * Kafka's internal `__emit.interval.ms.kstreams.outer.join.spurious.results.fix__`: how often, in
   * wall-clock ms, left/outer stream-stream joins emit unmatched records whose window closed.
   * Default 0 (every record that advances stream time), as Kafka's TopologyTestDriver sets it.
   */
  outerJoinEmitIntervalMs?: number;
  /**
   * Kafka's internal `__emit.interval.ms.kstreams.windowed.aggregation__`: how often, in wall-clock
   * ms, windowed aggregations emitting on window close look for closed windows. Default 0 (after
   * every record), as Kafka's TopologyTestDriver sets it.
   */
  windowedAggregationEmitIntervalMs?: number;
}

/** A record read from an output topic. */
export interface TestRecord<K, V> {
  key: K | null;
  value: V | null;
  timestamp: number;
  partition: number;
  headers: readonly LogHeader[];
}

interface Stored {
  partition: number;
  record: LogRecord;
}

/**
 * Runs a topology without a log (Kafka's `TopologyTestDriver`): synchronous and deterministic.
 * Every piped record is processed at once, depth first, through repartition topics too, and then
 * committed (caches flushed), so outputs are there to read when `pipeInput` returns. Topics may
 * have several partitions: keyed records go where Kafka's default partitioner puts them.
 *
 * @example
 * const driver = new TopologyTestDriver(builder.build(), { partitions: 2 });
 * const lines = driver.createInputTopic('lines', Serdes.String(), Serdes.String());
 * const counts = driver.createOutputTopic('word-counts', Serdes.String(), Serdes.LongNumber());
 * lines.pipeInput(null, 'a b a');
 * counts.readKeyValuesToMap(); // Map { 'a' => 2, 'b' => 1 }
 */
export class TopologyTestDriver {
  readonly #topology: TopologyGraph;
  readonly #applicationId: string;
  readonly #options: TopologyTestDriverOptions;
  readonly #clock: ManualClock;
  readonly #topics = new Map<string, Stored[]>();
  readonly #nextOffset = new Map<string, number>();
  readonly #tasks = new Map<string, StreamTask>();
  readonly #byTopic = new Map<string, StreamTask[]>();
  readonly #globalTasks = new Map<string, StreamTask>();
  readonly #globalStores = new Map<string, MeteredKeyValueStore<unknown, unknown>>();
  readonly #internal: Map<string, number>;
  readonly #queue: { topic: string; partition: number; record: LogRecord }[] = [];
  readonly #readCursor = new Map<string, number>();

  constructor(topology: Topology, options: TopologyTestDriverOptions = {}) {
    const graph = topologyGraph(topology);
    this.#topology = graph;
    this.#options = options;
    this.#applicationId = options.applicationId ?? 'test';
    this.#clock = new ManualClock(options.startTimeMs ?? 0);
    const cache = options.cacheMaxBytes;
    if (cache !== undefined && !(Number.isSafeInteger(cache) && cache >= 0))
      throw new TributaryError('INVALID_CONFIG', `cacheMaxBytes must be a non-negative integer, got ${cache}`);
    this.#internal = internalTopicPartitions(graph, (t) => this.#externalCount(t));
    const env = this.#env();
    for (const g of graph.globalStores) {
      const built = graph.storeBuilders.get(g.store)!.build({
        applicationId: this.#applicationId,
        taskId: 'global',
        partition: 0,
        cacheBudget: null,
        changelog: () => {},
        timestamp: () => 0,
        ...defaults(options),
      });
      this.#globalStores.set(g.store, built.store);
      const task = new StreamTask(
        graph,
        { id: -1, nodes: [g.source, g.processor], sourceTopics: [g.topic], stores: [] },
        0,
        env,
      );
      task.init();
      this.#globalTasks.set(g.topic, task);
    }
    for (const sub of graph.subtopologies()) {
      let n = 1;
      for (const t of sub.sourceTopics) n = Math.max(n, this.partitionCount(this.#physical(t)));
      for (let p = 0; p < n; p++) {
        const task = new StreamTask(graph, sub, p, env);
        this.#tasks.set(task.id, task);
        for (const t of sub.sourceTopics) {
          const physical = this.#physical(t);
          const list = this.#byTopic.get(`${physical}:${p}`) ?? [];
          list.push(task);
          this.#byTopic.set(`${physical}:${p}`, list);
        }
      }
    }
    for (const task of this.#tasks.values()) task.init();
  }

  /** Partitions of a topic as the driver sees it. */
  partitionCount(topic: string): number {
    const internal = topic.startsWith(`${this.#applicationId}-`)
      ? this.#internal.get(topic.slice(this.#applicationId.length + 1))
      : undefined;
    return internal ?? this.#externalCount(topic);
  }

  /**
   * A topic to pipe records into. With `startTimestampMs`, records piped without a timestamp get
   * that one, and each advances it by `autoAdvanceMs` (Kafka's `createInputTopic(…, start, autoAdvance)`).
   *
   * @example
   * const input = driver.createInputTopic('clicks', Serdes.String(), Serdes.String(), { startTimestampMs: 0, autoAdvanceMs: 1_000 });
   * input.pipeInput('a', 'x'); // @0
   * input.pipeInput('a', 'y'); // @1000
   */
  createInputTopic<K, V>(
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: { startTimestampMs?: number; autoAdvanceMs?: number } = {},
  ): TestInputTopic<K, V> {
    return new TestInputTopic(this, topic, keySerde, valueSerde, options.startTimestampMs, options.autoAdvanceMs ?? 0);
  }

  /** A topic to read what the topology wrote. */
  createOutputTopic<K, V>(topic: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, topic, keySerde, valueSerde);
  }

  /**
   * A store by name: with one partition the task's own store (writable); with several, a read-only
   * view over every task's store. Global stores too.
   */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> | ReadOnlyKeyValueStore<K, V> {
    const global = this.#globalStores.get(name);
    if (global !== undefined) return global as unknown as KeyValueStore<K, V>;
    const stores = [...this.#tasks.values()].flatMap((t) => {
      const s = t.stores.get(name);
      return s === undefined ? [] : [s.store];
    });
    if (stores.length === 0)
      throw new TributaryError('INVALID_STATE_STORE', `no state store named ${name}`, { store: name });
    if (stores.length === 1) return stores[0] as unknown as KeyValueStore<K, V>;
    return new CompositeReadOnlyStore<K, V>(stores as unknown as ReadOnlyKeyValueStore<K, V>[]);
  }

  /**
   * A KTable's store (or any timestamped store) with each value's timestamp, as Kafka's
   * `getTimestampedKeyValueStore`: with one partition the task's own store (writable), with several
   * a read-only view over every task's.
   *
   * @example
   * driver.getTimestampedKeyValueStore<string, number>('counts').get('k'); // { value: 2, timestamp: 10 }
   */
  getTimestampedKeyValueStore<K, V>(
    name: string,
  ): TimestampedKeyValueStore<K, V> | ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>> {
    const global = this.#globalStores.get(name);
    const stores =
      global !== undefined
        ? [global]
        : [...this.#tasks.values()].flatMap((t) => {
            const s = t.stores.get(name);
            return s === undefined ? [] : [s.store];
          });
    if (stores.length === 0)
      throw new TributaryError('INVALID_STATE_STORE', `no state store named ${name}`, { store: name });
    const untimed = stores.find((s) => !s.timestamped);
    if (untimed !== undefined)
      throw new TributaryError('INVALID_STATE_STORE', `state store ${name} keeps no timestamps: use getKeyValueStore`, {
        store: name,
      });
    const views = stores.map((s) => timestampedView(s as unknown as MeteredKeyValueStore<K, V>));
    if (views.length === 1) return views[0]!;
    return new CompositeReadOnlyStore<K, ValueAndTimestamp<V>>(views);
  }

  /**
   * A window store by name (Kafka's `getWindowStore`): the task's own store with one partition;
   * with several, the store of the task that holds `partition` (default 0).
   *
   * @example
   * driver.getWindowStore<string, number>('counts').fetch('k', 0, 100); // [{ key: 0, value: 2 }]
   */
  getWindowStore<K, V>(name: string, partition = 0): MeteredWindowStore<K, V> {
    const stores = [...this.#tasks.values()].flatMap((t) => {
      const s = t.stores.get(name);
      return s === undefined || t.partition !== partition ? [] : [s.store as unknown];
    });
    const store = stores[0] as MeteredWindowStore<K, V> | undefined;
    if (store === undefined || typeof (store as Partial<MeteredWindowStore<K, V>>).fetchAll !== 'function') {
      throw new TributaryError('INVALID_STATE_STORE', `no window store named ${name}`, { store: name });
    }
    return store;
  }

  /** A session store by name (Kafka's `getSessionStore`), of the task that holds `partition` (default 0). */
  getSessionStore<K, V>(name: string, partition = 0): MeteredSessionStore<K, V> {
    const store = [...this.#tasks.values()]
      .find((t) => t.partition === partition && t.stores.has(name))
      ?.stores.get(name)?.store as unknown as MeteredSessionStore<K, V> | undefined;
    if (store === undefined || typeof (store as Partial<MeteredSessionStore<K, V>>).findSessions !== 'function') {
      throw new TributaryError('INVALID_STATE_STORE', `no session store named ${name}`, { store: name });
    }
    return store;
  }

  /**
   * The metrics of the driver's tasks (Kafka's `TopologyTestDriver.metrics()`): per task
   * (`stream-task-metrics`, thread-id `main`) the records processed and dropped — a late record, a
   * handler's CONTINUE, an invalid timestamp — and per source and terminal node the records'
   * end-to-end latency against the mock wall-clock time.
   *
   * @example
   * const dropped = driver.metrics().find((m) => m.name === 'dropped-records-total' && m.tags['task-id'] === '0_0');
   */
  metrics(): StreamsMetric[] {
    return taskMetrics(
      'main',
      [...this.#tasks.values()].map((t) => t.metricSource()),
    );
  }

  /** Moves the wall clock forward, firing due wall-clock punctuators, then commits. */
  advanceWallClockTime(ms: number): void {
    this.#clock.advance(ms);
    for (const task of this.#tasks.values()) task.punctuateWallClock(this.#clock.now());
    this.#drain();
  }

  /** The records written to a topic so far (sinks, repartition and changelog topics), by partition. */
  readTopic(topic: string): TestRecord<Uint8Array, Uint8Array>[] {
    return (this.#topics.get(topic) ?? []).map(({ partition, record }) => ({
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      partition,
      headers: record.headers,
    }));
  }

  /** Closes the topology's processors and stores; the driver cannot be used after. */
  close(): void {
    // The driver's stores live in memory: closing them finishes at once.
    for (const task of this.#tasks.values()) void task.close();
    for (const task of this.#globalTasks.values()) void task.close();
  }

  static {
    driverPipe = (driver, ...args) => driver.#pipe(...args);
    driverRead = (driver, topic) => driver.#read(topic);
    driverQueued = (driver, topic) => driver.#queued(topic);
  }

  /** A record into an input topic (TestInputTopic): processed at once, depth first. */
  #pipe(
    topic: string,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number,
    partition: number | undefined,
    headers: LogHeader[],
  ): void {
    const n = this.partitionCount(topic);
    const p = partition ?? (key !== null ? defaultPartition(key, n) : 0);
    const record = this.#append(topic, p, key, value, timestamp, headers);
    const global = this.#globalTasks.get(topic);
    if (global !== undefined) global.process(topic, record);
    else this.#queue.push({ topic, partition: p, record });
    this.#drain();
  }

  /** The next record of an output topic not read yet (TestOutputTopic). */
  #read(topic: string): Stored | undefined {
    const at = this.#readCursor.get(topic) ?? 0;
    const stored = this.#topics.get(topic)?.[at];
    if (stored !== undefined) this.#readCursor.set(topic, at + 1);
    return stored;
  }

  /** How many records of an output topic are not read yet. */
  #queued(topic: string): number {
    return (this.#topics.get(topic)?.length ?? 0) - (this.#readCursor.get(topic) ?? 0);
  }

  get clock(): ManualClock {
    return this.#clock;
  }

  #drain(): void {
    for (;;) {
      while (this.#queue.length > 0) {
        const { topic, partition, record } = this.#queue.shift()!;
        for (const task of this.#byTopic.get(`${topic}:${partition}`) ?? this.#patternTasks(topic, partition)) {
          // The mock wall-clock time, which records' end-to-end latencies are measured against.
          task.wallClockMs = this.#clock.now();
          task.process(topic, record);
        }
      }
      // A commit after every input record, as Kafka's driver does: caches flush downstream.
      for (const task of this.#tasks.values()) task.flush();
      if (this.#queue.length === 0) return;
    }
  }

  #patternTasks(topic: string, partition: number): StreamTask[] {
    const tasks = [...this.#tasks.values()].filter(
      (t) =>
        t.partition === partition && t.subtopology.nodes.some((n) => n.kind === 'source' && n.pattern?.test(topic)),
    );
    this.#byTopic.set(`${topic}:${partition}`, tasks);
    return tasks;
  }

  #append(
    topic: string,
    partition: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number,
    headers: readonly LogHeader[],
  ): LogRecord {
    const id = `${topic}:${partition}`;
    const offset = this.#nextOffset.get(id) ?? 0;
    this.#nextOffset.set(id, offset + 1);
    const record: LogRecord = { offset, timestamp, key, value, headers };
    let list = this.#topics.get(topic);
    if (list === undefined) this.#topics.set(topic, (list = []));
    list.push({ partition, record });
    return record;
  }

  #externalCount(topic: string): number {
    const p = this.#options.partitions;
    if (p === undefined) return 1;
    if (typeof p === 'number') return p;
    return p[topic] ?? 1;
  }

  #physical(logical: string): string {
    return this.#topology.internalTopics.has(logical) ? `${this.#applicationId}-${logical}` : logical;
  }

  #env(): TaskEnv {
    const production = this.#options.productionExceptionHandler;
    return {
      applicationId: this.#applicationId,
      clock: this.#clock,
      cacheBudget:
        this.#options.cacheMaxBytes === 0 ? null : new CacheBudget(this.#options.cacheMaxBytes ?? 10 * 1024 * 1024),
      ...defaults(this.#options),
      outerJoinEmitIntervalMs: this.#options.outerJoinEmitIntervalMs ?? 0,
      windowedAggregationEmitIntervalMs: this.#options.windowedAggregationEmitIntervalMs ?? 0,
      physicalTopic: (t) => this.#physical(t),
      topicsMatching: (pattern) => [...this.#topics.keys()].filter((t) => pattern.test(t)),
      partitionCount: (t) => this.partitionCount(t),
      send: (topic, partition, key, value, timestamp, headers) => {
        const record = this.#append(topic, partition, key, value, timestamp, headers);
        if (
          this.#byTopic.has(`${topic}:${partition}`) ||
          this.#topology.internalTopics.has(topic.slice(this.#applicationId.length + 1))
        ) {
          this.#queue.push({ topic, partition, record });
        }
      },
      globalStore: (name) => this.#globalStores.get(name),
      onDeserializationError: this.#options.deserializationExceptionHandler ?? (() => 'FAIL'),
      defaultTimestampExtractor: this.#options.defaultTimestampExtractor,
      onProcessingError: this.#options.processingExceptionHandler,
      onSerializationError: production?.handleSerializationException?.bind(production),
    };
  }
}

function defaults(o: TopologyTestDriverOptions): {
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
} {
  return {
    ...(o.defaultKeySerde !== undefined ? { defaultKeySerde: o.defaultKeySerde } : {}),
    ...(o.defaultValueSerde !== undefined ? { defaultValueSerde: o.defaultValueSerde } : {}),
  };
}

/** Pipes typed records into a topic of a {@link TopologyTestDriver}. */
export class TestInputTopic<K, V> {
  readonly #driver: TopologyTestDriver;
  readonly #topic: string;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;
  #time: number | undefined;
  readonly #autoAdvanceMs: number;

  /** @internal */
  constructor(
    driver: TopologyTestDriver,
    topic: string,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    startTimestampMs?: number,
    autoAdvanceMs = 0,
  ) {
    this.#driver = driver;
    this.#topic = topic;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
    this.#time = startTimestampMs;
    this.#autoAdvanceMs = autoAdvanceMs;
  }

  /** Moves this topic's own clock (set by `startTimestampMs`) forward. */
  advanceTime(ms: number): void {
    if (this.#time === undefined)
      throw new TributaryError(
        'ILLEGAL_STATE',
        `input topic ${this.#topic} has no clock of its own: create it with startTimestampMs`,
      );
    this.#time += ms;
  }

  /**
   * Pipes one record; its timestamp defaults to the driver's wall clock. `partition` overrides
   * Kafka's default partitioning by key.
   */
  pipeInput(
    key: K | null,
    value: V | null,
    timestamp?: number,
    options: { partition?: number; headers?: LogHeader[] } = {},
  ): void {
    const ts = timestamp ?? this.#time ?? this.#driver.clock.now();
    if (timestamp === undefined && this.#time !== undefined) this.#time += this.#autoAdvanceMs;
    driverPipe(
      this.#driver,
      this.#topic,
      key === null ? null : this.#keySerde.serialize(this.#topic, key),
      value === null ? null : this.#valueSerde.serialize(this.#topic, value),
      ts,
      options.partition,
      options.headers ?? [],
    );
  }

  /** Pipes values with null keys. */
  pipeValueList(values: readonly (V | null)[], timestamp?: number): void {
    for (const value of values) this.pipeInput(null, value, timestamp);
  }

  /** Pipes key-value pairs in order. */
  pipeKeyValueList(entries: readonly KeyValue<K | null, V | null>[], timestamp?: number): void {
    for (const { key, value } of entries) this.pipeInput(key, value, timestamp);
  }
}

/** Reads typed records a topology wrote to a topic of a {@link TopologyTestDriver}, in write order. */
export class TestOutputTopic<K, V> {
  readonly #driver: TopologyTestDriver;
  readonly #topic: string;
  readonly #keySerde: Serde<K>;
  readonly #valueSerde: Serde<V>;

  /** @internal */
  constructor(driver: TopologyTestDriver, topic: string, keySerde: Serde<K>, valueSerde: Serde<V>) {
    this.#driver = driver;
    this.#topic = topic;
    this.#keySerde = keySerde;
    this.#valueSerde = valueSerde;
  }

  /** The next record, or throws when there is none (as Kafka's driver does). */
  readRecord(): TestRecord<K, V> {
    const stored = driverRead(this.#driver, this.#topic);
    if (stored === undefined) throw new RangeError(`no more records in topic ${this.#topic}`);
    const { record, partition } = stored;
    return {
      key: record.key === null ? null : this.#keySerde.deserialize(this.#topic, record.key),
      value: record.value === null ? null : this.#valueSerde.deserialize(this.#topic, record.value),
      timestamp: record.timestamp,
      partition,
      headers: record.headers,
    };
  }

  /** Reads the next output record's key and value; throws when there is none. */
  readKeyValue(): KeyValue<K | null, V | null> {
    const { key, value } = this.readRecord();
    return { key, value };
  }

  /** Reads the next output record's value; throws when there is none. */
  readValue(): V | null {
    return this.readRecord().value;
  }

  /** Reads every output record waiting, in order. */
  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  /** The values of every record not read yet, in order. */
  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map(({ value }) => value);
  }

  /** Reads the key and value of every output record waiting, in order. */
  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map(({ key, value }) => ({ key, value }));
  }

  /**
   * The latest value per key, as Kafka's `TestOutputTopic.readKeyValuesToMap`: a later record of a
   * key replaces its value, and a null value (a tombstone) is kept as the key's value, null. A record
   * without a key cannot be put in the map: ILLEGAL_STATE.
   */
  readKeyValuesToMap(): Map<K, V | null> {
    const map = new Map<K, V | null>();
    for (const { key, value } of this.readRecordsToList()) {
      if (key === null)
        throw new TributaryError('ILLEGAL_STATE', 'Null keys are not allowed with readKeyValuesToMap', {
          topic: this.#topic,
        });
      map.set(key, value);
    }
    return map;
  }

  /** True when no output record is waiting. */
  isEmpty(): boolean {
    return driverQueued(this.#driver, this.#topic) === 0;
  }

  /** How many output records are waiting. */
  getQueueSize(): number {
    return driverQueued(this.#driver, this.#topic);
  }
}
