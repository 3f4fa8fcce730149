import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireWithCoordinator, type ClientContext } from '../client/context.ts';
import type { OffsetStore } from '../client/group/offset-store.ts';
import { clientContextOf, type Tributary } from '../client/tributary.ts';
import type { Clock } from '../clock.ts';
import { TributaryError } from '../errors.ts';
import type { AppendRecord, AppendResult, LogBackend, LogHeader, LogRecord, PartitionAppend } from '../log/index.ts';
import type { Serde } from '../serde/index.ts';
import { InProcessTaskGroup, type TaskAssignor, type TaskGroupMember } from './internal/assignor.ts';
import { CompositeReadOnlyStore } from './internal/composite-store.ts';
import { CoordinatorTaskGroup } from './internal/coordinator-task-group.ts';
import { ensureOffsetsTopic, OFFSETS_TOPIC, offsetRecord, readCommittedOffsets } from './internal/offsets.ts';
import { type DeserializationExceptionHandler, StreamTask, type TaskEnv } from './internal/task.ts';
import { internalTopicPartitions } from './internal/topics.ts';
import { Bytes, type CheckpointedBytesStore, isCheckpointed } from './state/bytes.ts';
import { CacheBudget } from './state/caching-store.ts';
import type { ReadOnlyKeyValueStore } from './state/key-value-store.ts';
import type { BuiltStore } from './state/stores.ts';
import type { Subtopology, Topology } from './topology.ts';

/** Kafka Streams' client states. */
export type StreamsState =
  | 'CREATED'
  | 'REBALANCING'
  | 'RUNNING'
  | 'PENDING_SHUTDOWN'
  | 'NOT_RUNNING'
  | 'PENDING_ERROR'
  | 'ERROR';

/** What to do after an exception escaped processing (Kafka's `StreamThreadExceptionResponse`). */
export type StreamsUncaughtExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION';

/** Configuration of a {@link KafkaStreams} instance (Kafka's `StreamsConfig`, as an options object). */
export interface StreamsConfig {
  /** Names the app: its consumer group, and the prefix of its internal topics and changelogs. */
  applicationId: string;
  /**
   * The Tributary the app runs on: its log, and its consumer group `applicationId`, which the app's
   * instances join to share tasks. Give this or `log`.
   */
  tributary?: Tributary;
  /** The log the app reads and writes, its instances sharing tasks within this process. Give this or `tributary`. */
  log?: LogBackend;
  /**
   * `exactly_once_v2` (default): sink records, changelog records and input offsets commit in one
   * atomic log write. `at_least_once`: outputs and changelogs are written first and the offsets
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
  /** Records fetched per partition per read. Default: whole batches, up to 4 MiB. */
  maxPollRecords?: number;
  /**
   * Commit as soon as this many output records (sink, repartition, changelog) are pending, even
   * before `commitIntervalMs`: the commit is one log write, and writing while the next records are
   * processed keeps both busy. Caches then collapse updates per commit. Default 20 000.
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
}

interface Input {
  topic: string;
  partition: number;
  /** Next offset to fetch. */
  position: number;
  /** Offset after the last processed record: what a commit records. */
  consumed: number;
  committed: number;
  /** Records read (with their offsets) or handed over from a commit (offsets from `base`). */
  buffer: (LogRecord | AppendRecord)[];
  /** When set, the buffer's records were handed over and record i has offset base + i. */
  base: number | undefined;
  /** Hand-overs queued behind the buffer, in offset order. */
  queued: { records: AppendRecord[]; base: number }[];
  head: number;
  /** A read of this partition is in flight. */
  fetching: boolean;
}

interface PendingAppend extends PartitionAppend {
  bytes: number;
  limit: number;
}

interface Running {
  task: StreamTask;
  inputs: Input[];
}

interface GlobalState {
  task: StreamTask;
  topic: string;
  positions: number[];
}

const INTERNAL_TOPIC_CONFIGS = { 'max.message.bytes': 256 * 1024 * 1024 } as const;
let memberSeq = 0;

/**
 * Runs a topology on the log (Kafka's `KafkaStreams`): one task per sub-topology and input
 * partition, a pull loop that fetches, processes depth first and commits every `commitIntervalMs`
 * in one atomic log write of outputs, changelogs and input offsets.
 *
 * @example
 * const tributary = new Tributary({ dataDir: './.tributary' });
 * // Instances of one app on one Tributary form its consumer group `wordcount` and share its tasks.
 * const streams = new KafkaStreams(builder.build(), { applicationId: 'wordcount', tributary });
 * streams.setStateListener((now, before) => console.log(`${before} → ${now}`));
 * await streams.start();
 * streams.store<string, number>('counts-store').get('the');
 * await streams.close();
 */
export class KafkaStreams {
  readonly #topology: Topology;
  readonly #config: StreamsConfig;
  #log: LogBackend;
  readonly #clock: Clock;
  /** The Tributary's context when the app runs on one: the log is acquired on start, released on close. */
  readonly #context: ClientContext | undefined;
  #acquired = false;
  readonly #eos: boolean;
  readonly #commitIntervalMs: number;
  readonly #budget: CacheBudget | null;
  #assignor: TaskAssignor;
  readonly #maxUncommitted: number;
  readonly #purgeIntervalMs: number;
  readonly #memberId = `${process.pid}-${++memberSeq}`;
  #state: StreamsState = 'CREATED';
  #stateListener: ((newState: StreamsState, oldState: StreamsState) => void) | undefined;
  #exceptionHandler: (error: unknown) => StreamsUncaughtExceptionResponse = () => 'SHUTDOWN_CLIENT';
  readonly #running = new Map<string, Running>();
  readonly #globals = new Map<string, GlobalState>();
  readonly #globalStores = new Map<string, BuiltStore>();
  #subtopologies: Subtopology[] = [];
  #internalPartitions = new Map<string, number>();
  #patternTopics = new Map<string, string[]>();
  #committed = new Map<string, number>();
  /** The Tributary's offset store, when the app runs on a Tributary (else offsets are read from the log). */
  #offsetStore: OffsetStore | undefined;

  /** The app's committed input offsets, per `topic:partition`. */
  async #readCommitted(): Promise<Map<string, number>> {
    const store = this.#offsetStore;
    if (store === undefined) return readCommittedOffsets(this.#log, this.#config.applicationId);
    await store.ready();
    return new Map(
      store.list(this.#config.applicationId).map((e) => [`${e.topic}:${e.partition}`, e.committed.offset]),
    );
  }
  #assignment: string[] | undefined;
  #revocations: { tasks: string[]; done: () => void }[] = [];
  #wake: AbortController = new AbortController();
  #pending = new Map<string, PendingAppend[]>();
  #pendingRecords = 0;
  #full = false;
  /** Where the next round of task turns starts (see #process). */
  #turn = 0;
  #maxBytes = new Map<string, number>();
  #lastCommit = 0;
  /** Repartition partitions committed past what was purged (`topic:partition` → offset). */
  #unpurged = new Map<string, { topic: string; partition: number; offset: number }>();
  #lastPurge = 0;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #firstAssignment: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  #error: unknown;
  #inflight: Promise<void> = Promise.resolve();
  #commitError: unknown;
  /** Keeps the process alive while the loop runs, as a Kafka Streams thread keeps the JVM alive. */
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #idleWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  /** Pending notices that this instance was dropped from its group. */
  #losses: (() => void)[] = [];

  constructor(topology: Topology, config: StreamsConfig) {
    if (typeof config?.applicationId !== 'string' || config.applicationId === '')
      throw new TypeError('KafkaStreams needs an applicationId');
    if ((config.log === undefined) === (config.tributary === undefined)) {
      throw new TypeError('KafkaStreams needs a tributary or a log (one of the two)');
    }
    this.#topology = topology;
    this.#config = config;
    this.#context = config.tributary === undefined ? undefined : clientContextOf(config.tributary);
    // With a Tributary the log is acquired on start; until then nothing reads it.
    this.#log = config.log ?? (undefined as unknown as LogBackend);
    this.#clock = config.clock ?? this.#context?.clock ?? config.log!.clock;
    this.#eos = (config.processingGuarantee ?? 'exactly_once_v2') === 'exactly_once_v2';
    this.#commitIntervalMs = config.commitIntervalMs ?? (this.#eos ? 100 : 30_000);
    const cache = config.cacheMaxBytes ?? 10 * 1024 * 1024;
    this.#budget = cache > 0 ? new CacheBudget(cache) : null;
    this.#assignor =
      config.assignor ??
      (config.log !== undefined
        ? InProcessTaskGroup.for(config.log, config.applicationId)
        : (undefined as unknown as TaskAssignor));
    this.#maxUncommitted = config.maxUncommittedRecords ?? 20_000;
    this.#purgeIntervalMs = config.repartitionPurgeIntervalMs ?? 30_000;
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
      if (this.#context !== undefined) {
        const { log, coordinator } = await acquireWithCoordinator(this.#context);
        this.#log = log;
        // The coordinator's offset store owns committed offsets: the app's commits go through it,
        // so admin.fetchOffsets({ groupId: applicationId }) and lag see them.
        this.#offsetStore = coordinator.offsets;
        this.#acquired = true;
        this.#assignor =
          this.#config.assignor ??
          new CoordinatorTaskGroup({
            coordinator,
            clock: this.#clock,
            groupId: this.#config.applicationId,
            clientId: this.#context.clientId,
          });
      }
      await this.#prepareTopics();
      await this.#startGlobals();
      this.#committed = await this.#readCommitted();
      const first = new Promise<void>((resolve, reject) => {
        this.#firstAssignment = { resolve, reject };
      });
      this.#keepAlive = setInterval(() => {}, 1 << 30);
      this.#loop = this.#run().finally(() => clearInterval(this.#keepAlive));
      const tasks = this.#subtopologies.flatMap((s) =>
        Array.from({ length: this.#taskCount(s) }, (_, p) => `${s.id}_${p}`),
      );
      await this.#assignor.join(this.#member(), tasks);
      await first;
    } catch (err) {
      this.#stopping = true;
      this.#wake.abort();
      clearInterval(this.#keepAlive);
      this.#setState('ERROR');
      throw err;
    }
  }

  /** Gives the Tributary's log back, once. */
  async #release(): Promise<void> {
    if (!this.#acquired) return;
    this.#acquired = false;
    await this.#context?.release();
  }

  /** Commits, closes every task and leaves the group. Safe to call in any state. */
  async close(): Promise<void> {
    if (this.#state === 'NOT_RUNNING' || this.#state === 'CREATED') {
      this.#setState('NOT_RUNNING');
      return;
    }
    if (this.#state !== 'ERROR') this.#setState('PENDING_SHUTDOWN');
    this.#stopping = true;
    this.#wake.abort();
    await this.#loop?.catch(() => undefined);
    clearInterval(this.#keepAlive);
    let failure: unknown;
    if (this.#state !== 'ERROR') {
      await this.#commit().catch((err) => (this.#commitError ??= err));
      await this.#inflight;
      failure = this.#commitError;
    }
    await Promise.all([...this.#running.values()].map((r) => r.task.close()));
    this.#running.clear();
    // Leave only once the tasks are committed and closed: leaving hands them to other instances.
    await this.#assignor.leave(this.#memberId).catch(() => undefined);
    for (const g of this.#globals.values()) await g.task.close();
    for (const s of this.#globalStores.values()) await s.store.inner.close();
    await this.#release();
    if (failure !== undefined) {
      this.#setState('ERROR');
      throw failure;
    }
    if (this.#state !== 'ERROR') this.#setState('NOT_RUNNING');
  }

  /**
   * A read-only view of a store for interactive queries, across every task of this instance (or a
   * global store). Reads see uncommitted updates, as Kafka's do.
   */
  store<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const global = this.#globalStores.get(name);
    if (global !== undefined) return global.store as unknown as ReadOnlyKeyValueStore<K, V>;
    if (!this.#topology.storeBuilders.has(name))
      throw new TributaryError('INVALID_STATE_STORE', `no state store named ${name}`, { store: name });
    const stores = () =>
      [...this.#running.values()].flatMap((r) => {
        const s = r.task.stores.get(name);
        return s === undefined ? [] : [s.store as unknown as ReadOnlyKeyValueStore<K, V>];
      });
    return {
      get: (key) => new CompositeReadOnlyStore(stores()).get(key),
      range: (from, to) => new CompositeReadOnlyStore(stores()).range(from, to),
      all: () => new CompositeReadOnlyStore(stores()).all(),
      approximateNumEntries: () => new CompositeReadOnlyStore(stores()).approximateNumEntries(),
    };
  }

  /**
   * Resolves once this instance has processed and committed everything its inputs held (repartition
   * topics included), has brought its global tables up to date, and has nothing cached: for tests, examples and batch-style runs.
   */
  waitForIdle(): Promise<void> {
    if (this.#state === 'ERROR') return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#idleWaiters.push({ resolve, reject });
      this.#wake.abort();
    });
  }

  #caughtUp(): boolean {
    if (
      this.#pendingRecords > 0 ||
      (this.#budget?.used ?? 0) > 0 ||
      this.#revocations.length > 0 ||
      this.#assignment !== undefined
    )
      return false;
    if (this.#unpurged.size > 0) return false;
    for (const g of this.#globals.values()) {
      for (const [p, at] of g.positions.entries()) if (at < this.#log.offsets(g.topic, p).highWatermark) return false;
    }
    for (const r of this.#running.values()) {
      for (const i of r.inputs) {
        const o = this.#log.offsets(i.topic, i.partition);
        if (i.consumed !== i.committed || i.position < (this.#eos ? o.lastStableOffset : o.highWatermark)) return false;
      }
    }
    return true;
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

  /** The tasks this instance runs, as `<subtopology>_<partition>`. */
  get tasks(): string[] {
    return [...this.#running.keys()];
  }

  #setState(next: StreamsState): void {
    const old = this.#state;
    if (old === next) return;
    this.#state = next;
    this.#stateListener?.(next, old);
  }

  #member(): TaskGroupMember {
    return {
      memberId: this.#memberId,
      revoke: (tasks) =>
        new Promise<void>((done) => {
          this.#revocations.push({ tasks, done });
          this.#wake.abort();
        }),
      assign: (tasks) => {
        this.#assignment = tasks;
        this.#wake.abort();
      },
      lose: () =>
        new Promise<void>((done) => {
          this.#losses.push(done);
          this.#wake.abort();
        }),
    };
  }

  #physical(logical: string): string {
    return this.#topology.internalTopics.has(logical) ? `${this.#config.applicationId}-${logical}` : logical;
  }

  #taskCount(sub: Subtopology): number {
    let n = 0;
    for (const t of sub.sourceTopics) n = Math.max(n, this.#partitions(this.#physical(t)));
    for (const node of sub.nodes) {
      if (node.kind === 'source' && node.pattern !== undefined)
        for (const t of this.#patternTopics.get(node.name) ?? []) n = Math.max(n, this.#log.partitionCount(t));
    }
    return Math.max(n, 1);
  }

  #partitions(topic: string): number {
    return this.#log.partitionCount(topic);
  }

  async #ensureTopic(topic: string, numPartitions: number, configs: Record<string, string | number>): Promise<void> {
    try {
      await this.#log.createTopic({ topic, numPartitions, configs });
    } catch (err) {
      if ((err as { code?: string }).code !== 'TOPIC_ALREADY_EXISTS') throw err;
      const existing = this.#log.partitionCount(topic);
      if (existing !== numPartitions) {
        throw new TributaryError(
          'INVALID_PARTITIONS',
          `internal topic ${topic} has ${existing} partitions; this topology needs ${numPartitions}`,
          { topic },
        );
      }
    }
  }

  async #prepareTopics(): Promise<void> {
    const app = this.#config.applicationId;
    const existing = new Set(await this.#log.listTopics());
    for (const node of this.#topology.nodes.values()) {
      if (node.kind === 'source' && node.pattern !== undefined) {
        this.#patternTopics.set(
          node.name,
          [...existing].filter((t) => node.pattern!.test(t) && !t.startsWith(`${app}-`)).sort(),
        );
      }
      if (node.kind === 'source' && node.pattern === undefined) {
        for (const t of node.topics) {
          if (!this.#topology.internalTopics.has(t) && !existing.has(t)) {
            throw new TributaryError(
              'MISSING_SOURCE_TOPIC',
              `source topic ${t} does not exist; create it before starting the app`,
              { topic: t },
            );
          }
        }
      }
    }
    this.#subtopologies = this.#topology.subtopologies();
    const byPatternSource = (name: string) => {
      let n = 0;
      for (const [node, topics] of this.#patternTopics)
        if (this.#topology.nodes.get(node)?.kind === 'source')
          for (const t of topics)
            if (name === (this.#topology.nodes.get(node) as { pattern?: RegExp }).pattern?.source)
              n = Math.max(n, this.#log.partitionCount(t));
      return n;
    };
    this.#internalPartitions = internalTopicPartitions(this.#topology, (t) =>
      existing.has(t) ? this.#log.partitionCount(t) : byPatternSource(t),
    );
    for (const [name, n] of this.#internalPartitions) {
      await this.#ensureTopic(`${app}-${name}`, n, {
        'cleanup.policy': 'delete',
        'retention.ms': -1,
        ...INTERNAL_TOPIC_CONFIGS,
      });
    }
    for (const sub of this.#subtopologies) {
      const n = this.#taskCount(sub);
      for (const store of sub.stores) {
        const storeBuilder = this.#topology.storeBuilders.get(store)! as {
          loggingEnabled: boolean;
          changelogConfig?: Record<string, string | number>;
        };
        if (!storeBuilder.loggingEnabled) continue;
        await this.#ensureTopic(`${app}-${store}-changelog`, n, {
          'cleanup.policy': 'compact',
          ...storeBuilder.changelogConfig,
          ...INTERNAL_TOPIC_CONFIGS,
        });
      }
      for (const node of sub.nodes) {
        if (node.kind === 'sink' && typeof node.topic === 'string' && !this.#topology.internalTopics.has(node.topic)) {
          const d = await this.#log.describeTopic(node.topic).catch(() => undefined);
          if (d !== undefined) this.#maxBytes.set(node.topic, d.configs['max.message.bytes']);
        }
      }
    }
    if (this.#offsetStore !== undefined) await this.#offsetStore.ready();
    else await ensureOffsetsTopic(this.#log);
  }

  #env(): TaskEnv {
    return {
      applicationId: this.#config.applicationId,
      clock: this.#clock,
      ...(this.#config.stateDir !== undefined ? { stateDir: this.#config.stateDir } : {}),
      cacheBudget: this.#budget,
      ...(this.#config.defaultKeySerde !== undefined ? { defaultKeySerde: this.#config.defaultKeySerde } : {}),
      ...(this.#config.defaultValueSerde !== undefined ? { defaultValueSerde: this.#config.defaultValueSerde } : {}),
      physicalTopic: (t) => this.#physical(t),
      topicsMatching: (pattern) =>
        [...this.#patternTopics.entries()]
          .filter(([n]) => (this.#topology.nodes.get(n) as { pattern?: RegExp }).pattern === pattern)
          .flatMap(([, t]) => t),
      partitionCount: (t) => this.#partitions(t),
      send: (topic, partition, key, value, timestamp, headers) =>
        this.#send(topic, partition, key, value, timestamp, headers),
      globalStore: (name) => this.#globalStores.get(name)?.store,
      onDeserializationError: this.#config.deserializationExceptionHandler ?? (() => 'FAIL'),
    };
  }

  #send(
    topic: string,
    partition: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number,
    headers: readonly LogHeader[],
  ): void {
    let byPartition = this.#pending.get(topic);
    if (byPartition === undefined) this.#pending.set(topic, (byPartition = []));
    let append = byPartition[partition];
    if (append === undefined) {
      append = byPartition[partition] = { topic, partition, records: [], bytes: 0, limit: this.#batchLimit(topic) };
    }
    append.records.push(
      headers.length > 0 ? { key, value, timestamp, headers: [...headers] } : { key, value, timestamp },
    );
    this.#pendingRecords++;
    append.bytes += (key?.length ?? 0) + (value?.length ?? 0) + 24;
    // Commit sooner than the interval when a batch would outgrow what its topic accepts.
    if (append.bytes > append.limit / 2 || this.#pendingRecords > this.#maxUncommitted) this.#full = true;
  }

  /** The largest batch a topic takes (its max.message.bytes): internal topics are created roomy. */
  #batchLimit(topic: string): number {
    const known = this.#maxBytes.get(topic);
    if (known !== undefined) return known;
    if (topic.startsWith(`${this.#config.applicationId}-`) || topic === OFFSETS_TOPIC)
      return INTERNAL_TOPIC_CONFIGS['max.message.bytes'];
    return 1_048_588;
  }

  async #startGlobals(): Promise<void> {
    const env = this.#env();
    for (const g of this.#topology.globalStores) {
      const built = this.#topology.storeBuilders.get(g.store)!.build({
        applicationId: this.#config.applicationId,
        taskId: 'global',
        partition: 0,
        cacheBudget: null,
        changelog: () => {},
        timestamp: () => 0,
        ...(env.defaultKeySerde !== undefined ? { defaultKeySerde: env.defaultKeySerde } : {}),
        ...(env.defaultValueSerde !== undefined ? { defaultValueSerde: env.defaultValueSerde } : {}),
      });
      this.#globalStores.set(g.store, built);
      const task = new StreamTask(
        this.#topology,
        { id: -1, nodes: [g.source, g.processor], sourceTopics: [g.topic], stores: [] },
        0,
        env,
      );
      task.init();
      const state: GlobalState = {
        task,
        topic: g.topic,
        positions: Array.from({ length: this.#log.partitionCount(g.topic) }, () => 0),
      };
      this.#globals.set(g.store, state);
      await this.#updateGlobal(state, true);
    }
  }

  /** Applies what the global topic got since last time (all of it, on start). */
  async #updateGlobal(g: GlobalState, toEnd: boolean): Promise<boolean> {
    let any = false;
    for (let p = 0; p < g.positions.length; p++) {
      for (;;) {
        const { highWatermark, logStartOffset } = this.#log.offsets(g.topic, p);
        const at = Math.max(g.positions[p]!, logStartOffset);
        if (at >= highWatermark) break;
        const result = await this.#log.read(g.topic, p, at, { maxBytes: 4 << 20 });
        for (const r of result.records) g.task.process(g.topic, r);
        g.positions[p] = result.nextOffset;
        any = true;
        if (!toEnd) break;
      }
    }
    g.task.flush();
    return any;
  }

  async #createTask(id: string): Promise<Running> {
    const [s, p] = id.split('_').map(Number) as [number, number];
    const sub = this.#subtopologies.find((x) => x.id === s)!;
    const task = new StreamTask(this.#topology, sub, p, this.#env());
    for (const built of task.stores.values()) await this.#restore(built, p);
    task.init();
    const inputs: Input[] = [];
    for (const topic of task.sourceTopics.keys()) {
      if (p >= this.#log.partitionCount(topic)) continue;
      const committed = this.#committed.get(`${topic}:${p}`) ?? this.#log.offsets(topic, p).logStartOffset;
      inputs.push({
        topic,
        partition: p,
        position: committed,
        consumed: committed,
        committed,
        buffer: [],
        base: undefined,
        queued: [],
        head: 0,
        fetching: false,
      });
    }
    return { task, inputs };
  }

  /** Brings a store up to its changelog's end: from its checkpoint if it has one, else from the start. */
  async #restore(built: BuiltStore, partition: number): Promise<void> {
    const topic = built.changelogTopic;
    if (topic === undefined) return;
    const bytes = built.bytes;
    const { highWatermark, logStartOffset } = this.#log.offsets(topic, partition);
    if (isCheckpointed(bytes)) await bytes.ready;
    let from = isCheckpointed(bytes) ? (bytes.checkpoint ?? 0) : 0;
    if (from > highWatermark) {
      // The changelog is behind the local checkpoint (recreated?): the local data cannot be trusted.
      for (const { key } of bytes.range(null, null)) bytes.put(key, null);
      from = 0;
    }
    let offset = Math.max(from, logStartOffset);
    while (offset < highWatermark) {
      const result = await this.#log.read(topic, partition, offset, { maxBytes: 8 << 20 });
      for (const r of result.records)
        if (r.key !== null)
          bytes.put(new Bytes(r.key), built.restoreValue ? built.restoreValue(r.value, r.timestamp, r.key) : r.value);
      if (result.nextOffset <= offset) break;
      offset = result.nextOffset;
    }
    if (isCheckpointed(bytes) && from !== highWatermark) await bytes.commit(highWatermark);
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        if (this.#commitError !== undefined) throw this.#commitError;
        await this.#groupWork();
        if (this.#stopping) break;
        if (this.#assignment === undefined && this.#running.size === 0) {
          await this.#idle(undefined);
          continue;
        }
        await this.#fetch();
        let processed = this.#process();
        for (const g of this.#globals.values()) if (await this.#updateGlobal(g, false)) processed++;
        const now = this.#clock.now();
        for (const r of this.#running.values()) r.task.punctuateWallClock(now);
        if (
          this.#full ||
          ((this.#pendingRecords > 0 || (this.#budget?.used ?? 0) > 0) &&
            now - this.#lastCommit >= this.#commitIntervalMs) ||
          this.#consumedMoved(now)
        )
          await this.#commit();
        // Nothing to do but uncommitted work: commit now rather than sit out the interval, so
        // downstream sub-topologies (through repartition topics) get their input sooner.
        if (
          processed === 0 &&
          !this.#buffered() &&
          (this.#pendingRecords > 0 || (this.#budget?.used ?? 0) > 0 || this.#consumedMoved(Number.POSITIVE_INFINITY))
        ) {
          await this.#commit();
        }
        if (processed === 0 && !this.#buffered()) {
          await this.#purge();
          if (this.#idleWaiters.length > 0 && this.#caughtUp())
            for (const w of this.#idleWaiters.splice(0)) w.resolve();
          await this.#idle(this.#nextDeadline());
        }
      } catch (error) {
        if (this.#stopping) break;
        const response = this.#exceptionHandler(error);
        this.#dropUncommitted();
        if (response === 'REPLACE_THREAD') {
          await this.#inflight;
          this.#commitError = undefined;
          this.#assignment = [...this.#running.keys()];
          await Promise.all([...this.#running.values()].map((r) => r.task.close()));
          this.#running.clear();
          this.#committed = await this.#readCommitted();
          continue;
        }
        this.#error = error;
        this.#setState('PENDING_ERROR');
        await Promise.all([...this.#running.values()].map((r) => r.task.close().catch(() => undefined)));
        this.#running.clear();
        this.#firstAssignment?.reject(error);
        for (const w of this.#idleWaiters.splice(0)) w.reject(error);
        this.#setState('ERROR');
        this.#stopping = true;
        void this.#assignor.leave(this.#memberId).catch(() => undefined);
        return;
      }
    }
  }

  /** Offsets moved with nothing to write (records filtered out): commit them on the interval too (or at once, with `now` = Infinity). */
  #consumedMoved(now: number): boolean {
    if (now - this.#lastCommit < this.#commitIntervalMs) return false;
    for (const r of this.#running.values()) for (const i of r.inputs) if (i.consumed !== i.committed) return true;
    return false;
  }

  #buffered(): boolean {
    for (const r of this.#running.values())
      for (const i of r.inputs) if (i.head < i.buffer.length || i.queued.length > 0) return true;
    return false;
  }

  #nextDeadline(): number | undefined {
    let next: number | undefined;
    if (this.#pendingRecords > 0 || this.#budget?.used) next = this.#lastCommit + this.#commitIntervalMs;
    for (const r of this.#running.values()) {
      const due = r.task.nextWallClockDue();
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    return next;
  }

  /** Waits for data on any input, a deadline on the clock, or a wake-up (group change, close). */
  async #idle(deadline: number | undefined): Promise<void> {
    const wake = this.#wake;
    if (wake.signal.aborted) {
      this.#wake = new AbortController();
      return;
    }
    const waits: Promise<unknown>[] = [
      new Promise((resolve) => wake.signal.addEventListener('abort', resolve, { once: true })),
    ];
    const isolation = this.#eos ? 'read_committed' : 'read_uncommitted';
    for (const r of this.#running.values())
      for (const i of r.inputs)
        waits.push(
          this.#log.waitForData(i.topic, i.partition, i.position, wake.signal, isolation).catch(() => undefined),
        );
    for (const g of this.#globals.values())
      for (const [p, at] of g.positions.entries())
        waits.push(this.#log.waitForData(g.topic, p, at, wake.signal).catch(() => undefined));
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    if (deadline !== undefined)
      waits.push(
        new Promise(
          (resolve) =>
            (timer = this.#clock.setTimeout(() => resolve(undefined), Math.max(0, deadline - this.#clock.now()))),
        ),
      );
    await Promise.race(waits);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
    if (!wake.signal.aborted) wake.abort();
    this.#wake = new AbortController();
  }

  async #groupWork(): Promise<void> {
    if (this.#losses.length > 0) {
      // Out of the group: whatever is not committed is dropped, and the tasks close without a commit.
      const losses = this.#losses.splice(0);
      await this.#inflight;
      this.#dropUncommitted();
      await Promise.all([...this.#running.values()].map((r) => r.task.close().catch(() => undefined)));
      this.#running.clear();
      this.#dropUncommitted();
      for (const done of losses) done();
    }
    if (this.#revocations.length > 0) {
      const revocations = this.#revocations.splice(0);
      await this.#commit();
      await this.#inflight;
      for (const { tasks, done } of revocations) {
        for (const id of tasks) {
          await this.#running.get(id)?.task.close();
          this.#running.delete(id);
        }
        done();
      }
    }
    if (this.#assignment !== undefined) {
      const wanted = this.#assignment;
      this.#assignment = undefined;
      this.#setState('REBALANCING');
      for (const id of [...this.#running.keys()]) {
        if (!wanted.includes(id)) {
          await this.#running.get(id)!.task.close();
          this.#running.delete(id);
        }
      }
      // An empty write resolves once every write queued before it is in the log: a commit of the
      // tasks' previous owner still on its way is seen before they are restored.
      await this.#log.write([]);
      this.#committed = await this.#readCommitted();
      for (const id of wanted) if (!this.#running.has(id)) this.#running.set(id, await this.#createTask(id));
      this.#lastCommit = this.#clock.now();
      this.#setState('RUNNING');
      this.#firstAssignment?.resolve();
      this.#firstAssignment = undefined;
    }
  }

  async #fetch(): Promise<void> {
    const isolation = this.#eos ? 'read_committed' : 'read_uncommitted';
    const maxRecords = this.#config.maxPollRecords;
    const options = { maxBytes: 4 << 20, isolation, ...(maxRecords !== undefined ? { maxRecords } : {}) } as const;
    const reads: Promise<void>[] = [];
    for (const r of this.#running.values()) {
      for (const input of r.inputs) {
        if (input.head < input.buffer.length || input.queued.length > 0) continue;
        const { highWatermark, logStartOffset } = this.#log.offsets(input.topic, input.partition);
        if (input.position < logStartOffset) input.position = input.consumed = logStartOffset;
        if (input.position >= highWatermark) continue;
        input.fetching = true;
        reads.push(
          this.#log
            .read(input.topic, input.partition, input.position, options)
            .then((result) => {
              input.buffer = result.records;
              input.base = undefined;
              input.head = 0;
              input.position = result.nextOffset;
              if (result.records.length === 0) input.consumed = result.nextOffset;
            })
            .finally(() => {
              input.fetching = false;
            }),
        );
      }
    }
    await Promise.all(reads);
  }

  /**
   * Processes what is buffered. Tasks holding records handed over from a commit go first, through
   * all of them: those records are already in memory, and left queued while upstream tasks make
   * more they pile up (in WordCount up to 380 000 repartition records waited, copied from GC to
   * GC). The other tasks then take turns of up to 10 000 records, from the one after the task
   * whose turn a full commit cut short, so no task waits for another to empty its buffer.
   */
  #process(): number {
    let processed = 0;
    const running = [...this.#running.values()];
    for (const r of running) {
      let handedOver = 0;
      for (const i of r.inputs) {
        if (i.base === undefined) continue;
        handedOver += i.buffer.length - i.head;
        for (const q of i.queued) handedOver += q.records.length;
      }
      if (handedOver > 0) processed += this.#processTask(r, handedOver);
    }
    const n = running.length;
    for (let k = 0; k < n && !this.#full; k++) {
      const at = (this.#turn + k) % n;
      processed += this.#processTask(running[at]!, 10_000);
      if (this.#full) this.#turn = at + 1;
    }
    return processed;
  }

  /** Processes up to `budget` records of one task, picking the input whose next record is oldest. */
  #processTask({ task, inputs }: Running, budget: number): number {
    let processed = 0;
    for (; processed < budget && !this.#full; processed++) {
      let next: Input | undefined;
      let nextTime = 0;
      for (const input of inputs) {
        if (input.head >= input.buffer.length && input.queued.length > 0) {
          const chunk = input.queued.shift()!;
          input.buffer = chunk.records;
          input.base = chunk.base;
          input.head = 0;
        }
        const head = input.buffer[input.head];
        if (head !== undefined && (next === undefined || (head.timestamp ?? 0) < nextTime)) {
          next = input;
          nextTime = head.timestamp ?? 0;
        }
      }
      if (next === undefined) break;
      const at = next.head++;
      const record = next.buffer[at]!;
      const offset = next.base !== undefined ? next.base + at : (record as LogRecord).offset;
      task.process(next.topic, record, offset);
      if (next.head < next.buffer.length || next.queued.length > 0) {
        next.consumed = offset + 1;
      } else {
        next.consumed = next.position;
        // Let go of what was read or handed over: the next read or hand-over may be a commit away.
        next.buffer = [];
        next.head = 0;
      }
    }
    return processed;
  }

  /**
   * Flushes every task (caches forward downstream, change-logging sends) and writes sink records,
   * changelog records and input offsets: in one atomic write with exactly-once; outputs first,
   * then offsets, with at-least-once.
   */
  async #commit(): Promise<void> {
    // One commit in flight at a time, in order: processing goes on while the previous one writes.
    await this.#inflight;
    if (this.#commitError !== undefined) throw this.#commitError;
    for (const r of this.#running.values()) r.task.flush();
    const now = this.#clock.now();
    const offsets: AppendRecord[] = [];
    const moved: [Input, number][] = [];
    for (const r of this.#running.values()) {
      for (const i of r.inputs) {
        if (i.consumed === i.committed || moved.some(([m]) => m === i)) continue;
        offsets.push(offsetRecord(this.#config.applicationId, i.topic, i.partition, i.consumed, now));
        moved.push([i, i.consumed]);
      }
    }
    const outputs: PartitionAppend[] = [];
    // A partition whose records outgrow its topic's batch limit (a big cache flush into a topic with
    // a small max.message.bytes) goes in several batches, all in the same atomic write.
    for (const byPartition of this.#pending.values()) {
      for (const a of byPartition) {
        if (a === undefined) continue;
        const records = a.records;
        if (a.bytes > a.limit * 0.9) {
          let size = 0;
          let start = 0;
          for (let i = 0; i < records.length; i++) {
            const r = records[i]!;
            const n = (r.key?.length ?? 0) + (r.value?.length ?? 0) + 24;
            if (size + n > a.limit * 0.8 && i > start) {
              outputs.push({ topic: a.topic, partition: a.partition, records: records.slice(start, i) });
              start = i;
              size = 0;
            }
            size += n;
          }
          outputs.push({ topic: a.topic, partition: a.partition, records: records.slice(start) });
        } else {
          outputs.push({ topic: a.topic, partition: a.partition, records });
        }
      }
    }
    // Persistent stores write their files only once the commit is in the log, and only its writes.
    const files: { file: CheckpointedBytesStore; frames: unknown[]; topic: string | undefined; partition: number }[] =
      [];
    for (const r of this.#running.values()) {
      for (const built of r.task.stores.values()) {
        if (isCheckpointed(built.bytes)) {
          const frames = built.bytes.takePending();
          if (frames.length > 0)
            files.push({ file: built.bytes, frames, topic: built.changelogTopic, partition: r.task.partition });
        }
      }
    }
    this.#pending = new Map();
    this.#pendingRecords = 0;
    this.#full = false;
    this.#lastCommit = now;
    if (outputs.length === 0 && offsets.length === 0) return;
    const sync = this.#config.syncCommits === true;
    const offsetAppend: PartitionAppend[] =
      offsets.length > 0 ? [{ topic: OFFSETS_TOPIC, partition: 0, records: offsets }] : [];
    // A member the group dropped must not write: its tasks may already run elsewhere. Checked in
    // the same tick as the write is queued, so no hand-over can slip in between.
    if (this.#assignor.fenced?.(this.#memberId)) {
      this.#losses.push(() => undefined);
      return;
    }
    const write = async () => {
      let results: AppendResult[];
      if (this.#eos) {
        results = await this.#log.write([...outputs, ...offsetAppend], { sync });
      } else {
        results = outputs.length > 0 ? await this.#log.write(outputs, { sync }) : [];
        if (offsetAppend.length > 0) await this.#log.write(offsetAppend, { sync });
      }
      this.#handOver(outputs, results);
      this.#offsetStore?.apply(
        this.#config.applicationId,
        moved.map(([i, offset]) => ({ topic: i.topic, partition: i.partition, offset })),
      );
      for (const [i, offset] of moved) {
        const id = `${i.topic}:${i.partition}`;
        i.committed = offset;
        this.#committed.set(id, offset);
        if (this.#isRepartitionTopic(i.topic))
          this.#unpurged.set(id, { topic: i.topic, partition: i.partition, offset });
      }
      for (const { file, frames, topic, partition } of files) {
        const landed = results.findLast((r) => r.topic === topic && r.partition === partition);
        await file.commit(landed !== undefined ? landed.lastOffset + 1 : (file.checkpoint ?? 0), frames);
      }
      if (this.#clock.now() - this.#lastPurge >= this.#purgeIntervalMs) await this.#purge();
    };
    this.#inflight = write()
      .catch((error) => {
        this.#commitError ??= error;
      })
      .finally(() => this.#wake.abort());
  }

  /**
   * What a repartition topic's reader committed is never read again: it is deleted, as Kafka
   * Streams does with DeleteRecords every `repartition.purge.interval.ms`. Not after every commit:
   * each purge scans the partition's head in LevelDB and writes, and with a commit every 20 000
   * records WordCount spent about 6% of its run waiting for purges before its next commit.
   */
  async #purge(): Promise<void> {
    if (this.#unpurged.size === 0) return;
    this.#lastPurge = this.#clock.now();
    const due = [...this.#unpurged];
    await Promise.all(
      due.map(([, d]) => this.#log.deleteRecords(d.topic, d.partition, d.offset).catch(() => undefined)),
    );
    // Left until done, so the instance is not idle while a purge is on its way.
    for (const [id, d] of due) if (this.#unpurged.get(id) === d) this.#unpurged.delete(id);
  }

  /**
   * Records just committed to a repartition partition that a local task reads next go straight to
   * that task's input buffer, with the offsets the log gave them, instead of being read back and
   * decoded: the same records, in the same order, only without the round trip.
   */
  #isRepartitionTopic(topic: string): boolean {
    return topic.startsWith(`${this.#config.applicationId}-`) && topic.endsWith('-repartition');
  }

  #handOver(outputs: PartitionAppend[], results: AppendResult[]): void {
    for (const [n, append] of outputs.entries()) {
      if (!this.#isRepartitionTopic(append.topic)) continue;
      const landed = results[n];
      if (landed === undefined || landed.topic !== append.topic || landed.partition !== append.partition) continue;
      for (const r of this.#running.values()) {
        for (const input of r.inputs) {
          if (input.topic !== append.topic || input.partition !== append.partition) continue;
          if (input.fetching || input.position !== landed.baseOffset) continue;
          if (input.head >= input.buffer.length && input.queued.length === 0) {
            input.buffer = append.records;
            input.base = landed.baseOffset;
            input.head = 0;
          } else if (input.base !== undefined) {
            // Still working on an earlier hand-over: queue these behind it.
            input.queued.push({ records: append.records, base: landed.baseOffset });
          } else {
            continue;
          }
          input.position = landed.lastOffset + 1;
        }
      }
    }
  }

  #dropUncommitted(): void {
    this.#pending = new Map();
    this.#pendingRecords = 0;
    this.#full = false;
  }

  /** The error that put this instance in state ERROR, if any. */
  get error(): unknown {
    return this.#error;
  }
}
