import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientContextOf, type Tributary } from '../client/tributary.ts';
import type { Clock } from '../clock.ts';
import { TributaryError } from '../errors.ts';
import type { LogBackend } from '../log/index.ts';
import type { Serde } from '../serde/index.ts';
import type { TaskAssignor } from './internal/assignor.ts';
import type {
  DeserializationExceptionHandler,
  ProcessingExceptionHandler,
  ProductionExceptionHandler,
  TaskEnv,
} from './internal/task.ts';
import type { TimestampExtractor } from './processor.ts';
import type { StateRestoreListener } from './restore-listener.ts';
import {
  type AppLayout,
  allMetadata,
  type KeyPartitioning,
  type KeyQueryMetadata,
  keyMetadata,
  parseHostInfo,
  type StreamsMetadata,
} from './streams-metadata.ts';
import { queryTasks, type StateQueryRequest, type StateQueryResult } from './state-query.ts';
import { type StreamsMetric, streamsMetrics } from './streams-metrics.ts';
import { type LagInfo, storePartitionLags } from './store-lags.ts';
import { type StreamThreadState, type ThreadMetadata, taskMetadata } from './thread-metadata.ts';
import type { StreamsBackend } from './runtime/backend.ts';
import { ChangelogReader } from './runtime/changelog-reader.ts';
import { EmbeddedBackend } from './runtime/embedded-backend.ts';
import { GlobalThread } from './runtime/global-thread.ts';
import { InternalTopics } from './runtime/internal-topics.ts';
import { RecordCollector } from './runtime/record-collector.ts';
import { StreamThread } from './runtime/stream-thread.ts';
import { TaskManager } from './runtime/task-manager.ts';
import { WireBackend } from './runtime/wire-backend.ts';
import { CacheBudget } from './state/caching-store.ts';
import type { ReadOnlyKeyValueStore } from './state/key-value-store.ts';
import { announceStreamsApp } from './runtime/running-apps.ts';
import type { TopologyGraph } from './internal/topology-graph.ts';
import { QueryableStoreTypes, StoreQueryParameters, storeKindOf, storeView } from './store-queries.ts';
import { type Topology, topologyGraph } from './topology.ts';

/** Kafka Streams' client states. */
export type StreamsState =
  | 'CREATED'
  | 'REBALANCING'
  | 'RUNNING'
  | 'PENDING_SHUTDOWN'
  | 'NOT_RUNNING'
  | 'PENDING_ERROR'
  | 'ERROR';

/** The stream thread's state for each state of the instance, as Kafka's thread goes through them. */
const THREAD_STATE: Record<StreamsState, StreamThreadState> = {
  CREATED: 'CREATED',
  REBALANCING: 'PARTITIONS_ASSIGNED',
  RUNNING: 'RUNNING',
  PENDING_SHUTDOWN: 'PENDING_SHUTDOWN',
  NOT_RUNNING: 'DEAD',
  PENDING_ERROR: 'PENDING_SHUTDOWN',
  ERROR: 'DEAD',
};

/** What to do after an exception escaped processing (Kafka's `StreamThreadExceptionResponse`). */
export type StreamsUncaughtExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION';

/** Configuration of a {@link KafkaStreams} instance (Kafka's `StreamsConfig`, as an options object). */
export interface StreamsConfig {
  /** Names the app: its consumer group, and the prefix of its internal topics and changelogs. */
  applicationId: string;
  /**
   * Where this instance answers interactive queries, `host:port` (Kafka's `application.server`):
   * shared with the app's other instances through the group, so that `queryMetadataForKey` and
   * `streamsMetadataForStore` on any of them name the instance that holds a key or store.
   */
  applicationServer?: string;
  /**
   * The Tributary the app runs on: its log, and its consumer group `applicationId`, which the app's
   * instances join to share tasks. Give this or `log`. A Tributary made with `brokers` runs the app
   * over Kafka's protocol (`trib serve`, Apache Kafka, Redpanda): commits are Kafka transactions.
   */
  tributary?: Tributary;
  /** The log the app reads and writes, its instances sharing tasks within this process. Give this or `tributary`. */
  log?: LogBackend;
  /**
   * `exactly_once_v2` (default): sink records, changelog records and input offsets commit in one
   * atomic log write (embedded) or one Kafka transaction (over the wire). `at_least_once`: outputs and changelogs are written first and the offsets
   * after, so a crash in between reprocesses records (and, for example, over-counts).
   */
  processingGuarantee?: 'exactly_once_v2' | 'at_least_once';
  /** How often tasks commit, in clock ms. Default 100 with exactly-once, 30 000 with at-least-once. */
  commitIntervalMs?: number;
  /** Bytes of the record cache shared by all stores; 0 turns caching off. Default 10 MiB. */
  cacheMaxBytes?: number;
  /**
   * Where persistent stores keep their LevelDB databases (`<stateDir>/<applicationId>/<task>/<store>`);
   * without it they live in memory and are restored from their changelogs on every start.
   */
  stateDir?: string;
  /** Default: the Tributary's or the log's clock. */
  clock?: Clock;
  defaultKeySerde?: Serde<unknown>;
  defaultValueSerde?: Serde<unknown>;
  /** Default: FAIL (Kafka's LogAndFailExceptionHandler). */
  deserializationExceptionHandler?: DeserializationExceptionHandler;
  /**
   * Kafka's `default.timestamp.extractor`: the event time of records whose source names no
   * extractor. Default: the record's own timestamp, stopping on a negative one
   * (`FailOnInvalidTimestamp`, as Kafka).
   */
  defaultTimestampExtractor?: TimestampExtractor;
  /**
   * Kafka's `processing.exception.handler` (KIP-1033): asked about each error a processor or
   * punctuator throws; `CONTINUE` drops that record at that processor and goes on. Default: the
   * error stops the task (Kafka's `LogAndFailProcessingExceptionHandler`).
   */
  processingExceptionHandler?: ProcessingExceptionHandler;
  /**
   * Kafka's `production.exception.handler`: `handle` is asked about a record a sink's topic
   * refuses (larger than its `max.message.bytes`, without a key on a compacted topic, a timestamp
   * outside its bounds), `handleSerializationException` (KIP-399) about a key or value a sink's
   * serde cannot serialize; `CONTINUE` drops the record and the rest commits. Default: the error
   * stops the task (Kafka's `DefaultProductionExceptionHandler`).
   */
  productionExceptionHandler?: ProductionExceptionHandler;
  /** Records fetched per partition per read. Default: whole batches, up to 64 KiB on the embedded log and 4 MiB over the wire. */
  maxPollRecords?: number;
  /**
   * Commit as soon as this many output records (sink, repartition, changelog) are pending, even
   * before `commitIntervalMs`: the commit is one log write, and writing while the next records are
   * processed keeps both busy. Caches then collapse updates per commit. Default 20 000. While the
   * previous commit is still being written (a Kafka transaction, over the wire) the tasks go on
   * processing, up to four times as many, and the next commit follows it.
   */
  maxUncommittedRecords?: number;
  /** fsync each commit. Default false: commits survive a crash of the process, not of the machine. */
  syncCommits?: boolean;
  /**
   * How often what repartition topics' readers committed is deleted from those topics, in clock ms
   * (Kafka's `repartition.purge.interval.ms`); an instance that runs out of work purges at once.
   * Default 30 000.
   */
  repartitionPurgeIntervalMs?: number;
  /**
   * Who assigns tasks to instances. Default: with `tributary`, its consumer group `applicationId`;
   * with `log`, the in-process group of `applicationId` on that log.
   */
  assignor?: TaskAssignor;
  /**
   * Over the wire: clock ms without a heartbeat before the group drops an instance and hands its
   * tasks to the others. Default 45 000 (Kafka Streams').
   */
  sessionTimeoutMs?: number;
  /** Over the wire: how often an instance heartbeats. Default 3 000. */
  heartbeatIntervalMs?: number;
  /**
   * Over the wire with exactly-once: how long the broker lets a transaction stay open before
   * aborting it (an instance that died mid-commit). Default 10 000 (Kafka Streams').
   */
  transactionTimeoutMs?: number;
  /**
   * How often, in clock ms, a left or outer stream-stream join looks for unmatched records whose
   * window has closed and emits them (Kafka's internal
   * `__emit.interval.ms.kstreams.outer.join.spurious.results.fix__`). Default 1 000, as Kafka's.
   */
  outerJoinEmitIntervalMs?: number;
  /**
   * How often, in clock ms, a windowed aggregation that emits on window close
   * (`EmitStrategy.onWindowClose()`) looks for windows that have closed (Kafka's internal
   * `__emit.interval.ms.kstreams.windowed.aggregation__`). Default 1 000, as Kafka's.
   */
  windowedAggregationEmitIntervalMs?: number;
}

let memberSeq = 0;

/**
 * The one input a KafkaStreams runs on, whichever way it was given: the embedded log (a `log`, or
 * a Tributary made with `dataDir`) or Kafka's protocol (a Tributary made with `brokers`).
 */
function backendFor(config: StreamsConfig, eos: boolean, processId: () => Promise<string>): StreamsBackend {
  const { applicationId } = config;
  if (config.log !== undefined) {
    return new EmbeddedBackend({
      source: { kind: 'log', log: config.log },
      applicationId,
      eos,
      clock: config.clock ?? config.log.clock,
      ...(config.assignor !== undefined ? { assignor: config.assignor } : {}),
    });
  }
  const context = clientContextOf(config.tributary!);
  const clock = config.clock ?? context.clock;
  if (context.wire !== undefined) {
    return new WireBackend({
      context,
      wire: context.wire,
      applicationId,
      eos,
      clock,
      processId,
      ...(config.assignor !== undefined ? { assignor: config.assignor } : {}),
      ...(config.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: config.sessionTimeoutMs } : {}),
      ...(config.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: config.heartbeatIntervalMs } : {}),
      ...(config.transactionTimeoutMs !== undefined ? { transactionTimeoutMs: config.transactionTimeoutMs } : {}),
    });
  }
  return new EmbeddedBackend({
    source: { kind: 'tributary', context },
    applicationId,
    eos,
    clock,
    ...(config.assignor !== undefined ? { assignor: config.assignor } : {}),
  });
}

/**
 * Runs a topology (Kafka's `KafkaStreams`): one task per sub-topology and input partition, a pull
 * loop that fetches, processes depth first and commits every `commitIntervalMs`. On the embedded
 * log a commit is one atomic log write of outputs, changelogs and input offsets; over the wire
 * (a Tributary made with `brokers`: `trib serve`, Apache Kafka, Redpanda) it is a Kafka
 * transaction. The runtime is in `runtime/`: the stream thread, task manager, record collector,
 * changelog reader, global thread and internal topics, over a backend per transport.
 *
 * @example
 * const tributary = new Tributary({ dataDir: './.tributary' }); // or { brokers: ['localhost:9092'] }
 * // Instances of one app on one Tributary form its consumer group `wordcount` and share its tasks.
 * const streams = new KafkaStreams(builder.build(), { applicationId: 'wordcount', tributary });
 * streams.setStateListener((now, before) => console.log(`${before} → ${now}`));
 * await streams.start();
 * streams.store<string, number>('counts-store').get('the');
 * await streams.close();
 */
export class KafkaStreams {
  readonly #topology: Topology;
  readonly #graph: TopologyGraph;
  readonly #config: StreamsConfig;
  readonly #backend: StreamsBackend;
  readonly #clock: Clock;
  readonly #eos: boolean;
  readonly #budget: CacheBudget | null;
  readonly #memberId = `${process.pid}-${++memberSeq}`;
  readonly #topics: InternalTopics;
  readonly #globals: GlobalThread;
  readonly #collector: RecordCollector;
  readonly #tasks: TaskManager;
  readonly #thread: StreamThread;
  readonly #changelogs: ChangelogReader;
  #state: StreamsState = 'CREATED';
  #stateListener: ((newState: StreamsState, oldState: StreamsState) => void) | undefined;
  #restoreListener: StateRestoreListener | undefined;
  #closing: Promise<void> | undefined;
  /** Stream threads that failed (replaced or not): Kafka's failed-stream-threads. */
  #failedThreads = 0;
  #exceptionHandler: (error: unknown) => StreamsUncaughtExceptionResponse = () => 'SHUTDOWN_CLIENT';
  #error: unknown;
  /** Takes the app off the process's list of running apps (see `runtime/running-apps.ts`). */
  #unannounce: (() => void) | undefined;

  constructor(topology: Topology, config: StreamsConfig) {
    if (typeof config?.applicationId !== 'string' || config.applicationId === '')
      throw new TypeError('KafkaStreams needs an applicationId');
    if ((config.log === undefined) === (config.tributary === undefined)) {
      throw new TypeError('KafkaStreams needs a tributary or a log (one of the two)');
    }
    if (config.applicationServer !== undefined) parseHostInfo(config.applicationServer);
    this.#topology = topology;
    const graph = topologyGraph(topology);
    this.#graph = graph;
    this.#config = config;
    this.#eos = (config.processingGuarantee ?? 'exactly_once_v2') === 'exactly_once_v2';
    const backend = backendFor(config, this.#eos, () => this.#processId());
    this.#backend = backend;
    this.#clock = backend.clock;
    const cache = config.cacheMaxBytes ?? 10 * 1024 * 1024;
    this.#budget = cache > 0 ? new CacheBudget(cache) : null;
    this.#topics = new InternalTopics(graph, config.applicationId, backend);
    this.#globals = new GlobalThread(graph, config.applicationId, backend);
    this.#collector = new RecordCollector({
      maxUncommitted: config.maxUncommittedRecords ?? 20_000,
      batchLimit: (topic) => this.#topics.batchLimit(topic),
      ...(backend.earlySends !== undefined ? { early: backend.earlySends } : {}),
      encode: backend.takesEncoded === true,
      handedOver: (topic) => backend.handsOver && this.#topics.isRepartition(topic),
      recordChecks: (topic) => this.#topics.recordChecks(topic),
      clock: backend.clock,
    });
    this.#changelogs = new ChangelogReader(backend, () => this.#restoreListener);
    this.#tasks = new TaskManager({
      topology: graph,
      topics: this.#topics,
      backend,
      changelogs: this.#changelogs,
      env: () => this.#env(),
    });
    this.#thread = new StreamThread({
      applicationId: config.applicationId,
      backend,
      tasks: this.#tasks,
      topics: this.#topics,
      globals: this.#globals,
      collector: this.#collector,
      budget: this.#budget,
      clock: this.#clock,
      eos: this.#eos,
      commitIntervalMs: config.commitIntervalMs ?? (this.#eos ? 100 : 30_000),
      purgeIntervalMs: config.repartitionPurgeIntervalMs ?? 30_000,
      maxPollRecords: config.maxPollRecords,
      syncCommits: config.syncCommits === true,
      memberId: this.#memberId,
      ...(config.applicationServer !== undefined ? { applicationServer: config.applicationServer } : {}),
      host: {
        rebalancing: () => this.#setState('REBALANCING'),
        running: () => this.#setState('RUNNING'),
        failed: (error) => {
          this.#failedThreads++;
          const response = this.#exceptionHandler(error);
          if (response === 'REPLACE_THREAD') return 'REPLACE_THREAD';
          this.#error = error;
          this.#setState('PENDING_ERROR');
          return 'SHUTDOWN';
        },
        errored: () => this.#setState('ERROR'),
      },
    });
  }

  /**
   * This instance's process id (Kafka Streams' `process.id`): kept in `<stateDir>/<applicationId>`
   * so that a restarted instance is the same one. Over the wire it names the instance's
   * transactional producer, so the restart fences the instance it replaces and aborts its open
   * transaction at once.
   */
  async #processId(): Promise<string> {
    const { stateDir, applicationId } = this.#config;
    if (stateDir === undefined) return randomUUID();
    const dir = join(stateDir, applicationId);
    const file = join(dir, 'process-id');
    const known = await readFile(file, 'utf8').catch(() => undefined);
    if (known !== undefined && known.trim() !== '') return known.trim();
    const id = randomUUID();
    await mkdir(dir, { recursive: true });
    await writeFile(file, id);
    return id;
  }

  /** The current state. */
  get state(): StreamsState {
    return this.#state;
  }

  /** Called on every state change with the new and the old state. */
  setStateListener(listener: (newState: StreamsState, oldState: StreamsState) => void): void {
    this.#stateListener = listener;
  }

  /**
   * Told how stores restore: each task's from its changelog, each global store from its topic
   * (Kafka's `setGlobalStateRestoreListener`). Only before `start()`, as in Kafka.
   */
  setGlobalStateRestoreListener(listener: StateRestoreListener): void {
    if (this.#state !== 'CREATED')
      throw new TributaryError(
        'ILLEGAL_STATE',
        `Can only set a global state restore listener before start(); the state is ${this.#state}`,
      );
    this.#restoreListener = listener;
  }

  /**
   * Decides what happens when processing throws: `REPLACE_THREAD` drops uncommitted work and
   * resumes from the last commit; `SHUTDOWN_CLIENT` (the default) and `SHUTDOWN_APPLICATION` stop
   * this instance in state ERROR.
   */
  setUncaughtExceptionHandler(handler: (error: unknown) => StreamsUncaughtExceptionResponse): void {
    this.#exceptionHandler = handler;
  }

  /**
   * Creates internal topics, restores global stores, joins the app's group, restores the tasks it
   * gets and starts processing. Resolves once RUNNING; the loop then runs until `close()`.
   */
  async start(): Promise<void> {
    if (this.#state !== 'CREATED')
      throw new TributaryError(
        'ILLEGAL_STATE',
        `KafkaStreams.start() in state ${this.#state}; an instance starts once`,
      );
    this.#setState('REBALANCING');
    try {
      await this.#backend.open();
      const backend = this.#backend as { openedLog?: unknown };
      this.#unannounce = announceStreamsApp({
        applicationId: this.#config.applicationId,
        topology: this.#topology,
        streams: this,
        runsOn: () => [this.#config.log, this.#config.tributary, backend.openedLog].filter((x) => x !== undefined),
      });
      await this.#topics.prepare();
      await this.#globals.start(this.#env(), this.#restoreListener);
      await this.#tasks.readCommitted();
      await this.#thread.start();
    } catch (err) {
      this.#setState('ERROR');
      // Connections (over the wire) or the Tributary's log are given back: nothing runs any more.
      await this.#globals.close().catch(() => undefined);
      await this.#backend.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Commits, closes every task and leaves the group. Safe to call in any state, and again while a
   * close is on its way (the calls share it). With `timeout` (ms on the app's clock, Kafka's
   * `close(Duration)`), resolves false if the close has not finished by then, which goes on in the
   * background; otherwise resolves true once closed. A failed final commit rejects.
   */
  close(): Promise<void>;
  close(options: { timeout: number }): Promise<boolean>;
  async close(options: { timeout?: number } = {}): Promise<unknown> {
    const { timeout } = options;
    if (timeout !== undefined && !(timeout >= 0)) throw new TypeError(`close timeout must be ≥ 0 ms, got ${timeout}`);
    const closing = (this.#closing ??= this.#close().finally(() => {
      this.#closing = undefined;
    }));
    if (timeout === undefined) {
      await closing;
      return undefined;
    }
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = this.#clock.setTimeout(() => resolve(false), timeout);
    });
    // Past the timeout the close goes on; its failure is then the state's (ERROR), not a rejection.
    closing.catch(() => undefined);
    try {
      return await Promise.race([closing.then(() => true as const), expired]);
    } finally {
      this.#clock.clearTimeout(timer!);
    }
  }

  async #close(): Promise<void> {
    if (this.#state === 'NOT_RUNNING' || this.#state === 'CREATED') {
      this.#setState('NOT_RUNNING');
      return;
    }
    if (this.#state !== 'ERROR') this.#setState('PENDING_SHUTDOWN');
    const failure = await this.#thread.stop(this.#state !== 'ERROR');
    await this.#globals.close();
    this.#unannounce?.();
    this.#unannounce = undefined;
    await this.#backend.close();
    if (failure !== undefined) {
      this.#setState('ERROR');
      throw failure;
    }
    if (this.#state !== 'ERROR') this.#setState('NOT_RUNNING');
  }

  /**
   * A read-only view of a store for interactive queries (Kafka's `KafkaStreams.store`), across
   * every task of this instance, or of a global store. Given a name alone, a key-value view; given
   * `StoreQueryParameters`, the view its `QueryableStoreTypes` names (key-value, timestamped
   * key-value, window, session), of one partition's copy with `withPartition`. A store of another
   * kind than the query expects, or a partition this instance has no task for, is refused with
   * `INVALID_STATE_STORE`. Reads see uncommitted updates, as Kafka's do.
   *
   * @example
   * streams.store<string, number>('counts-store').get('the');
   * streams
   *   .store(StoreQueryParameters.fromNameAndType('clicks-per-minute', QueryableStoreTypes.windowStore<string, number>()))
   *   .fetch('alice', 0, 180_000);
   */
  store<K, V>(name: string): ReadOnlyKeyValueStore<K, V>;
  store<T>(parameters: StoreQueryParameters<T>): T;
  store(query: string | StoreQueryParameters<unknown>): unknown {
    const parameters =
      typeof query === 'string'
        ? StoreQueryParameters.fromNameAndType(query, QueryableStoreTypes.keyValueStore())
        : query;
    const { storeName: name, partition } = parameters;
    const kind = parameters.queryableStoreType.kind;
    const global = this.#globals.stores.get(name);
    const builder = this.#graph.storeBuilders.get(name);
    if (global === undefined && builder === undefined)
      throw new TributaryError('INVALID_STATE_STORE', `no state store named ${name}`, { store: name });
    const actual = global !== undefined ? 'keyValue' : storeKindOf(builder);
    if (actual !== (kind === 'timestampedKeyValue' ? 'keyValue' : kind)) {
      throw new TributaryError(
        'INVALID_STATE_STORE',
        `Cannot get state store ${name}: it is a ${actual} store and the query asks for a ${kind} store`,
        { store: name },
      );
    }
    if (global !== undefined) return storeView(kind, name, () => [global.store]);
    if (partition !== undefined && ![...this.#tasks.running.values()].some((r) => r.task.partition === partition)) {
      throw new TributaryError(
        'INVALID_STATE_STORE',
        `The specified partition ${partition} for store ${name} does not exist on this instance`,
        { store: name, partition },
      );
    }
    return storeView(kind, name, () =>
      [...this.#tasks.running.values()].flatMap((r) => {
        if (partition !== undefined && r.task.partition !== partition) return [];
        const s = r.task.stores.get(name);
        return s === undefined ? [] : [s.store];
      }),
    );
  }

  /**
   * Resolves once this instance has processed and committed everything its inputs held (repartition
   * topics included), has brought its global tables up to date, and has nothing cached: for tests, examples and batch-style runs.
   */
  waitForIdle(): Promise<void> {
    if (this.#state === 'ERROR') return Promise.reject(this.#error);
    return this.#thread.waitForIdle();
  }

  /**
   * Deletes this app's local state under `stateDir` (Kafka's `cleanUp()`), so the next start
   * restores every store from its changelog. Only before `start()` or after `close()`.
   */
  async cleanUp(): Promise<void> {
    if (this.#state !== 'CREATED' && this.#state !== 'NOT_RUNNING' && this.#state !== 'ERROR') {
      throw new TributaryError(
        'ILLEGAL_STATE',
        `KafkaStreams.cleanUp() in state ${this.#state}; close the instance first`,
      );
    }
    if (this.#config.stateDir !== undefined)
      await rm(join(this.#config.stateDir, this.#config.applicationId), { recursive: true, force: true });
  }

  /**
   * Pauses processing (Kafka's `pause()`, KIP-834): no task processes records or punctuates until
   * `resume()`, while the instance stays in its group, commits what it processed before and keeps
   * its global tables up to date. Allowed before `start()`, which then starts paused. `waitForIdle`
   * resolves only once resumed and caught up.
   */
  pause(): void {
    this.#thread.setPaused(true);
  }

  /** Resumes processing after `pause()`. */
  resume(): void {
    this.#thread.setPaused(false);
  }

  /** Whether processing is paused (the last round may still be finishing). */
  isPaused(): boolean {
    return this.#thread.paused;
  }

  /**
   * Kafka Streams' built-in metrics of this instance (Kafka's `metrics()`), under Kafka's names,
   * groups and tags (see streams-metrics.ts): client state and threads, the thread's records
   * processed, commits and their latency, tasks created and closed, each task's records processed
   * and dropped (handlers' CONTINUE, invalid timestamps, records too late for their window).
   *
   * @example
   * streams.metrics().find((m) => m.group === 'stream-thread-metrics' && m.name === 'process-rate')?.value;
   */
  metrics(): StreamsMetric[] {
    return streamsMetrics({
      clientId: `${this.#config.applicationId}-${this.#memberId}`,
      applicationId: this.#config.applicationId,
      state: this.#state,
      topologyDescription: this.#topology.describe().toString(),
      failedThreads: this.#failedThreads,
      threadName: this.#threadName,
      thread: this.#thread.metrics,
      tasksCreated: this.#tasks.created,
      tasksClosed: this.#tasks.closed,
      tasks: [...this.#tasks.running.values()].map(({ task }) => task.metricSource()),
      now: this.#clock.now(),
    });
  }

  /**
   * This instance's stream thread and its active tasks (Kafka's `metadataForLocalThreads()`): the
   * thread's state in Kafka's names, and per task its input partitions with their committed and
   * end offsets (what a health check compares for lag).
   */
  metadataForLocalThreads(): ThreadMetadata[] {
    const eos = this.#eos;
    const end = (topic: string, partition: number) => {
      const o = this.#backend.offsets(topic, partition);
      return eos ? o.lastStableOffset : o.highWatermark;
    };
    return [
      {
        threadName: this.#threadName,
        threadState: THREAD_STATE[this.#state],
        activeTasks: [...this.#tasks.running.values()].map((r) => taskMetadata(r, end)),
        standbyTasks: [],
      },
    ];
  }

  /**
   * How far each local copy of a changelogged store is behind its changelog, by store and
   * partition (Kafka's `allLocalStorePartitionLags`, KIP-535): a running task's stores are caught
   * up (lag 0); a store being restored is at the offset its restore has reached. Empty before
   * `start()` and after `close()`.
   *
   * @example
   * const lags = await streams.allLocalStorePartitionLags();
   * const fresh = (lags.get('counts-store')?.get(partition)?.offsetLag ?? Infinity) < 1_000;
   */
  allLocalStorePartitionLags(): Promise<Map<string, Map<number, LagInfo>>> {
    return storePartitionLags(this.#backend, this.#tasks.running.values(), this.#changelogs.restoring.values());
  }

  /**
   * Interactive queries v2 (Kafka's `query`, KIP-796): runs the request's query on this instance's
   * copies of the store, one result per partition asked (every partition it holds by default). A
   * partition asked for but not held answers NOT_PRESENT; a store behind the request's position
   * bound NOT_UP_TO_BOUND; a query the store does not take UNKNOWN_QUERY_TYPE. A store's position
   * is the input offsets its task has processed. Refused with `ILLEGAL_STATE` before `start()` and
   * after `close()`, and with `INVALID_STATE_STORE` for a store the topology does not have or a
   * global store (Kafka queries neither).
   *
   * @example
   * const result = streams.query(StateQueryRequest.inStore('counts').withQuery(KeyQuery.withKey<string, number>('alice')));
   * result.getOnlyPartitionResult()?.getResult(); // 3
   */
  query<R>(request: StateQueryRequest<R>): StateQueryResult<R> {
    if (this.#state === 'CREATED')
      throw new TributaryError('ILLEGAL_STATE', 'KafkaStreams has not been started; query after start()');
    if (this.#state !== 'RUNNING' && this.#state !== 'REBALANCING')
      throw new TributaryError('ILLEGAL_STATE', `KafkaStreams is not running (state ${this.#state})`);
    const name = request.storeName;
    if (this.#globals.stores.has(name))
      throw new TributaryError('INVALID_STATE_STORE', `global store ${name} is not queried by query(); use store()`, {
        store: name,
      });
    if (!this.#graph.storeBuilders.has(name))
      throw new TributaryError('INVALID_STATE_STORE', `no state store named ${name}`, { store: name });
    return queryTasks(request, this.#tasks.running.values());
  }

  /**
   * Every instance of the app that named an `applicationServer`, with the stores and input
   * partitions of its tasks, as of the last rebalance (Kafka's `metadataForAllStreamsClients`).
   */
  metadataForAllStreamsClients(): StreamsMetadata[] {
    return allMetadata(this.#layout());
  }

  /** The instances that hold a copy of `storeName` (Kafka's `streamsMetadataForStore`). */
  streamsMetadataForStore(storeName: string): StreamsMetadata[] {
    return allMetadata(this.#layout()).filter((m) => m.stateStoreNames.includes(storeName));
  }

  /**
   * The instance whose task holds `key` of `storeName`, and the key's partition (Kafka's
   * `queryMetadataForKey`): the key is partitioned by its bytes from `keySerde` as the default
   * partitioner does, or by the app's own partitioner. `activeHost` is `unavailable:-1` until an
   * instance that named an `applicationServer` holds that partition.
   *
   * @example
   * const { activeHost, partition } = streams.queryMetadataForKey('counts-store', 'alice', Serdes.String());
   */
  queryMetadataForKey<K>(storeName: string, key: K, keySerde: KeyPartitioning<K>): KeyQueryMetadata {
    return keyMetadata(this.#layout(), storeName, key, keySerde);
  }

  /** Kafka's `<client.id>-StreamThread-1`, the client id being `<applicationId>-<member id>`. */
  get #threadName(): string {
    return `${this.#config.applicationId}-${this.#memberId}-StreamThread-1`;
  }

  #layout(): AppLayout {
    const topics = this.#topics;
    return {
      subtopologies: topics.subtopologies,
      physical: (t) => topics.physical(t),
      globalStores: this.#graph.globalStores.map((g) => g.store),
      hosts: this.#thread.hosts,
      taskCount: (sub) => topics.taskCount(sub),
    };
  }

  /** The tasks this instance runs, as `<subtopology>_<partition>`. */
  get tasks(): string[] {
    return [...this.#tasks.running.keys()];
  }

  /** The error that put this instance in state ERROR, if any. */
  get error(): unknown {
    return this.#error;
  }

  #setState(next: StreamsState): void {
    const old = this.#state;
    if (old === next) return;
    this.#state = next;
    this.#stateListener?.(next, old);
  }

  #env(): TaskEnv {
    const config = this.#config;
    const production = config.productionExceptionHandler;
    return {
      applicationId: config.applicationId,
      clock: this.#clock,
      ...(config.stateDir !== undefined ? { stateDir: config.stateDir } : {}),
      cacheBudget: this.#budget,
      ...(config.defaultKeySerde !== undefined ? { defaultKeySerde: config.defaultKeySerde } : {}),
      ...(config.defaultValueSerde !== undefined ? { defaultValueSerde: config.defaultValueSerde } : {}),
      physicalTopic: (t) => this.#topics.physical(t),
      topicsMatching: (pattern) => this.#topics.topicsMatching(pattern),
      partitionCount: (t) => this.#backend.partitionCount(t),
      send: (topic, partition, key, value, timestamp, headers, keyMemo) =>
        this.#collector.send(topic, partition, key, value, timestamp, headers, keyMemo),
      globalStore: (name) => this.#globals.stores.get(name)?.store,
      onDeserializationError: config.deserializationExceptionHandler ?? (() => 'FAIL'),
      defaultTimestampExtractor: config.defaultTimestampExtractor,
      onProcessingError: config.processingExceptionHandler,
      onSerializationError: production?.handleSerializationException?.bind(production),
      onSendError: production?.handle?.bind(production),
      ...(config.outerJoinEmitIntervalMs !== undefined
        ? { outerJoinEmitIntervalMs: config.outerJoinEmitIntervalMs }
        : {}),
      ...(config.windowedAggregationEmitIntervalMs !== undefined
        ? { windowedAggregationEmitIntervalMs: config.windowedAggregationEmitIntervalMs }
        : {}),
    };
  }
}
