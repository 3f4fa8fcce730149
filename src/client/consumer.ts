import type { TimerHandle } from '../clock.ts';
import { type LogBackend, WaitInterrupt } from '../log/index.ts';
import { TimeSlice } from '../time-slice.ts';
import { acquireWithCoordinator, type ClientContext } from './context.ts';
import { parseOffset } from './convert.ts';
import type { TributaryError } from '../errors.ts';
import { clientError, hasCode } from './errors.ts';
import { type Fetched, Fetcher, FetchBudget } from './consumer/fetcher.ts';
import type { FetchedMessages } from './consumer/messages.ts';
import { GroupMembership } from './consumer/membership.ts';
import {
  type EachBatchHandler,
  type EachMessageHandler,
  type RunnerHost,
  runEachBatch,
  runEachMessage,
} from './consumer/runner.ts';
import { OffsetManager } from './consumer/offset-manager.ts';
import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from './kafkajs-errors.ts';
import { type PartitionAssignor, roundRobinAssignor } from './group/assignors.ts';
import type { GroupCoordinator } from '../cluster/group-coordinator.ts';
import { adaptKafkajsAssigner, isPartitionAssignor, type KafkajsPartitionAssigner } from './group/kafkajs-assigner.ts';
import { OFFSETS_TOPIC } from '../cluster/offset-store.ts';
import type { Observable } from 'rxjs';
import { type ObservedMessage, type ObserveOptions, observeConsumer } from './rx.ts';
import {
  InstrumentationEmitter,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
} from './instrumentation.ts';
import type { Logger } from './logger.ts';
import type {
  GroupDescription,
  TopicOffsets,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
} from './types.ts';

/** Options of {@link Tributary.consumer}, kafkajs's names and defaults. */
export interface ConsumerConfig {
  groupId: string;
  /**
   * Assignors in order of preference. Default `[PartitionAssigners.roundRobin]`, as kafkajs.
   * kafkajs-style custom assigners (`({ cluster, groupId, logger }) => Assigner`) work too.
   */
  partitionAssigners?: (PartitionAssignor | (() => PartitionAssignor) | KafkajsPartitionAssigner)[];
  /** A member that does not heartbeat for this long (clock ms) is dropped. Default 30 000. */
  sessionTimeout?: number;
  /** How long a rebalance waits for members to rejoin. Default 60 000. */
  rebalanceTimeout?: number;
  /** Default 3 000. */
  heartbeatInterval?: number;
  /** Most bytes read from one partition at a time. Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** Accepted for compatibility: an idle consumer waits for appends, not for a timeout. */
  maxWaitTimeInMs?: number;
  minBytes?: number;
  /**
   * Most bytes read at once across the consumer's partitions (kafkajs: most bytes of one fetch
   * answer). Default 10 MiB. Each partition's read asks for its share (at most
   * `maxBytesPerPartition`, at least one stored batch), and what is read ahead while handlers run
   * stays within it.
   */
  maxBytes?: number;
  /**
   * Create missing subscribed topics (with the log's default partition count and configs) instead
   * of failing with UNKNOWN_TOPIC_OR_PARTITION. Default true, as kafkajs.
   */
  allowAutoTopicCreation?: boolean;
  /** kafkajs's switch: true reads records of open and aborted transactions. Default false. */
  readUncommitted?: boolean;
  /** The same, by Kafka's name; wins over `readUncommitted`. Default `read_committed`. */
  isolation?: 'read_committed' | 'read_uncommitted';
  /** Backoff after a handler throws: `initialRetryTime` (default 300 ms, doubling to `maxRetryTime`, 30 000). */
  retry?: {
    initialRetryTime?: number;
    maxRetryTime?: number;
    retries?: number;
    /** After the retries are spent: whether to restart the consumer (rejoining from the committed offsets). Default: yes. */
    restartOnFailure?: (err: Error) => Promise<boolean>;
  };
  metadataMaxAge?: number;
  maxInFlightRequests?: number;
  rackId?: string;
}

/**
 * `subscribe`'s argument for several topics; a RegExp matches the topics that exist when the consumer joins.
 *
 * @example
 * await consumer.subscribe({ topics: ['orders', /^audit-/], fromBeginning: true });
 */
export interface ConsumerSubscribeTopics {
  topics: (string | RegExp)[];
  fromBeginning?: boolean;
}

/** `subscribe`'s argument for one topic, as in kafkajs 1.x. */
export interface ConsumerSubscribeTopic {
  topic: string | RegExp;
  fromBeginning?: boolean;
}

export type {
  Batch,
  EachBatchHandler,
  EachBatchPayload,
  EachMessageHandler,
  EachMessagePayload,
} from './consumer/runner.ts';

/** Options of {@link Consumer.run}. */
export interface ConsumerRunConfig {
  /**
   * Commit resolved offsets automatically, as kafkajs. Default true: after every processed batch,
   * plus, within a batch, once `autoCommitInterval` clock ms passed or `autoCommitThreshold`
   * messages were resolved since the last commit; and when partitions are revoked and on stop.
   * `false` commits nothing: the program commits with `commitOffsets`.
   */
  autoCommit?: boolean;
  autoCommitInterval?: number | null;
  autoCommitThreshold?: number | null;
  eachBatchAutoResolve?: boolean;
  /** How many partitions' batches are processed at once. Default 1. */
  partitionsConsumedConcurrently?: number;
  eachBatch?: EachBatchHandler;
  eachMessage?: EachMessageHandler;
}

/**
 * kafkajs's consumer event names. The network ones (REQUEST*) exist for compatibility and are
 * emitted by the wire client only; FETCH_START comes before each read of a partition (`nodeId` 0).
 *
 * @example
 * consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => console.log(payload.memberAssignment));
 */
export const ConsumerEvents = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
} as const;
/** The name of a consumer instrumentation event (a value of {@link ConsumerEvents}). */
export type ConsumerEventName = (typeof ConsumerEvents)[keyof typeof ConsumerEvents];

/** The payload of `consumer.start_batch_process` and `consumer.end_batch_process`: the batch being processed. */
export interface BatchProcessPayload {
  topic: string;
  partition: number;
  highWatermark: string;
  offsetLag: string;
  offsetLagLow: string;
  batchSize: number;
  firstOffset: string;
  lastOffset: string;
}

/** The payload of each consumer event, as kafkajs's. */
export interface ConsumerEventPayloads {
  'consumer.heartbeat': { groupId: string; memberId: string; groupGenerationId: number };
  'consumer.commit_offsets': { groupId: string; memberId: string; groupGenerationId: number; topics: TopicOffsets[] };
  'consumer.group_join': {
    duration: number;
    groupId: string;
    isLeader: boolean;
    leaderId: string;
    groupProtocol: string;
    memberId: string;
    memberAssignment: Record<string, number[]>;
  };
  'consumer.fetch_start': { nodeId: number };
  'consumer.fetch': { numberOfBatches: number; duration: number; nodeId: number };
  'consumer.start_batch_process': BatchProcessPayload;
  'consumer.end_batch_process': BatchProcessPayload & { duration: number };
  'consumer.connect': null;
  'consumer.disconnect': null;
  'consumer.stop': null;
  'consumer.crash': { error: Error; groupId: string; restart: boolean };
  'consumer.rebalancing': { groupId: string; memberId: string };
  'consumer.received_unsubscribed_topics': {
    groupId: string;
    generationId: number;
    memberId: string;
    assignedTopics: string[];
    topicsSubscribed: string[];
    topicsNotSubscribed: string[];
  };
  'consumer.network.request': unknown;
  'consumer.network.request_timeout': unknown;
  'consumer.network.request_queue_size': unknown;
}

/** One assigned partition being consumed. */
interface PartitionRunner {
  topic: string;
  partition: number;
  key: string;
  /** The next offset to read. */
  position: number;
  /** One past the last processed offset: what a commit writes. */
  resolved: number;
  committed: number;
  active: boolean;
  seekTo?: number;
  /** Ends the runner's wait for data (or its backoff) when it is stopped, revoked or seeks. */
  wait: WaitInterrupt;
  /** The payload's `pause()` and `heartbeat()`, made once per partition rather than per batch. */
  pause: () => () => void;
  heartbeat: () => Promise<void>;
  loop?: Promise<void>;
  failures: number;
}

class Semaphore {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(n: number) {
    this.#free = n;
  }
  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}

const noop = () => undefined;

/** The first error of a `cause` chain, whose `retriable` kafkajs asks when deciding on a restart. */
function rootCause(error: unknown): { retriable?: boolean } {
  let e = error as { cause?: unknown; retriable?: boolean };
  while (e.cause !== undefined && e.cause !== null && typeof e.cause === 'object') e = e.cause as typeof e;
  return e;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Reads a consumer's pending-rejoin flag; set by the class's static block. */
let rejoinRequested: (consumer: Consumer) => boolean;

/**
 * A consumer in a group, with kafkajs's API. Each assigned partition is read by its own loop that
 * waits for appends (nothing polls); `partitionsConsumedConcurrently` bounds how many batches are
 * processed at once. Group membership follows Kafka's classic protocol through the Tributary's
 * in-process coordinator; heartbeats, session timeouts and commit intervals run on its clock.
 *
 * Delivery is at-least-once by default (offsets are committed after processing). For at-most-once,
 * run with `autoCommit: false` and commit each offset before processing it.
 *
 * @example
 * const consumer = tributary.consumer({ groupId: 'billing' });
 * await consumer.connect();
 * await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
 * await consumer.run({ eachMessage: async ({ message }) => console.log(message.value?.toString()) });
 */
export class Consumer {
  readonly events = ConsumerEvents;
  readonly #ctx: ClientContext;
  readonly #config: ConsumerConfig;
  readonly #groupId: string;
  readonly #assignors: PartitionAssignor[];
  readonly #emitter: InstrumentationEmitter<ConsumerEventName>;
  readonly #logger: Logger;
  readonly #isolation: 'read_committed' | 'read_uncommitted';
  #log: LogBackend | undefined;
  #coordinator: GroupCoordinator | undefined;
  #subscriptions: { topic: string | RegExp; fromBeginning: boolean }[] = [];
  #run: ConsumerRunConfig | undefined;
  #running = false;
  /** Join, sync, heartbeat and leave (see {@link GroupMembership}); made on connect. */
  #membership: GroupMembership | undefined;

  get #memberId(): string {
    return this.#membership?.memberId ?? '';
  }

  get #generationId(): number {
    return this.#membership?.generationId ?? -1;
  }

  #requireMembership(): GroupMembership {
    if (this.#membership === undefined)
      throw clientError('CLIENT_NOT_CONNECTED', 'The consumer is not connected; call connect() first');
    return this.#membership;
  }
  #protocol: PartitionAssignor | undefined;
  #runners = new Map<string, PartitionRunner>();
  #pendingSeeks = new Map<string, number>();
  #paused = new Map<string, Set<number> | 'all'>();
  #resumeWaiters = new Map<string, () => void>();
  #rejoin: { promise: Promise<void>; resolve: () => void } | undefined;
  #rejoinRequested = false;
  #mainLoop: Promise<void> | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #heartbeatDue = false;
  #processing = 0;
  #semaphore = new Semaphore(1);
  /** What the partitions' fetchers read, together (`maxBytes`: each read's share, and what is read ahead). */
  #fetchBudget = new FetchBudget(0);
  /** How many partitions the last assignment gave this member (their reads share `maxBytes`). */
  #assigned = 0;
  /** Resolved and committed offsets, and the commits (see {@link OffsetManager}). */
  readonly #offsets: OffsetManager;
  /** What the handlers' runner asks of the consumer (see runner.ts). */
  readonly #runnerHost: RunnerHost = {
    running: () => this.#running,
    isPaused: (topic, partition) => this.#isPaused(topic, partition),
    offsets: () => this.#offsets,
    afterMessage: async () => {
      if (this.#heartbeatDue) this.#heartbeatNow();
      if (this.#offsets.autoCommitDue()) await this.#offsets.commitResolved().catch((err) => this.#commitFailed(err));
    },
  };

  /** @internal Use {@link Tributary.consumer}. */
  constructor(ctx: ClientContext, config: ConsumerConfig) {
    if (config === null || typeof config !== 'object' || typeof config.groupId !== 'string' || config.groupId === '') {
      throw new TypeError('consumer({ groupId }) needs a non-empty groupId');
    }
    this.#ctx = ctx;
    this.#config = config;
    this.#groupId = config.groupId;
    const cluster = {
      findTopicPartitionMetadata: (topic: string) =>
        Array.from({ length: this.#requireLog().partitionCount(topic) }, (_, i) => ({
          partitionErrorCode: 0,
          partitionId: i,
          leader: 0,
          replicas: [0],
          isr: [0],
        })),
    };
    this.#assignors = (config.partitionAssigners ?? [roundRobinAssignor]).map((a) => {
      const made =
        typeof a === 'function'
          ? (a as KafkajsPartitionAssigner)({
              cluster,
              groupId: config.groupId,
              logger: ctx.logger.namespace('Assigner'),
            })
          : a;
      return isPartitionAssignor(made) ? made : adaptKafkajsAssigner(made);
    });
    if (this.#assignors.length === 0) throw new TypeError('partitionAssigners must not be empty');
    this.#emitter = new InstrumentationEmitter(Object.values(ConsumerEvents), () => ctx.clock.now());
    this.#logger = ctx.logger.namespace('Consumer');
    this.#isolation = config.isolation ?? (config.readUncommitted === true ? 'read_uncommitted' : 'read_committed');
    this.#offsets = new OffsetManager({
      groupId: this.#groupId,
      clock: ctx.clock,
      runConfig: () => this.#run,
      membership: () => ({ memberId: this.#memberId, generationId: this.#generationId }),
      send: (request) => {
        const coordinator = this.#coordinator;
        if (coordinator === undefined)
          return Promise.reject(clientError('CLIENT_NOT_CONNECTED', 'The consumer is not connected'));
        return coordinator.commitOffsets(request);
      },
      partition: (topic, partition) => this.#runners.get(key(topic, partition)),
      partitions: () => this.#runners.values(),
      fenced: () => this.#requestRejoin(),
      committed: (topics, { memberId, generationId }) => {
        this.#emitter.emit(ConsumerEvents.COMMIT_OFFSETS, {
          groupId: this.#groupId,
          memberId,
          groupGenerationId: generationId,
          topics,
        });
      },
    });
  }

  /** The consumer's own retry options, else the Tributary's. */
  get #retry(): ConsumerConfig['retry'] {
    return this.#config.retry ?? this.#ctx.retry;
  }

  get #sessionTimeout(): number {
    return this.#config.sessionTimeout ?? 30_000;
  }

  /** Opens the consumer's use of the log; call before `subscribe` and `run`. */
  async connect(): Promise<void> {
    if (this.#log !== undefined) return;
    const { log, coordinator } = await acquireWithCoordinator(this.#ctx);
    this.#coordinator = coordinator;
    this.#log = log;
    this.#membership = new GroupMembership({
      groupId: this.#groupId,
      clientId: this.#ctx.clientId,
      transport: coordinator,
      assignors: this.#assignors,
      sessionTimeout: this.#sessionTimeout,
      rebalanceTimeout: this.#config.rebalanceTimeout ?? 60_000,
      partitionCount: (topic) => log.partitionCount(topic),
      onRebalance: () => this.#requestRejoin(),
    });
    this.#emitter.emit(ConsumerEvents.CONNECT, null);
  }

  /** Stops (committing what was processed, unless `autoCommit` is false), leaves the group and lets go of the log. */
  async disconnect(): Promise<void> {
    if (this.#log === undefined) return;
    await this.stop();
    this.#log = undefined;
    this.#coordinator = undefined;
    await this.#ctx.release();
    this.#emitter.emit(ConsumerEvents.DISCONNECT, null);
  }

  /** The consumer's logger, namespaced `Consumer`, as kafkajs's `consumer.logger()`. */
  logger(): Logger {
    return this.#logger;
  }

  /** Listens to an instrumentation event; returns a function that removes the listener. */
  on<N extends ConsumerEventName>(
    eventName: N,
    listener: (event: InstrumentationEvent<ConsumerEventPayloads[N]>) => void,
  ): RemoveInstrumentationEventListener {
    return this.#emitter.on(eventName, listener as (event: InstrumentationEvent<never>) => void);
  }

  /** As kafkajs: seek and pause act on the group's partitions, so they come after run(). */
  #requireRunning(what: string): void {
    if (!this.#running) {
      throw new KafkaJSNonRetriableError(
        `Consumer group was not initialized, consumer#run must be called first (${what})`,
        {},
        'ILLEGAL_STATE',
      );
    }
  }

  #requireLog(): LogBackend {
    if (this.#log === undefined)
      throw clientError('CLIENT_NOT_CONNECTED', 'The consumer is not connected; call connect() first');
    return this.#log;
  }

  /** Subscribes to topics by name or RegExp. Call before {@link run}. */
  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    const log = this.#requireLog();
    if (this.#running) throw new TypeError('Cannot subscribe while the consumer is running; stop it first');
    const topics =
      'topics' in subscription && Array.isArray(subscription.topics)
        ? subscription.topics
        : [(subscription as ConsumerSubscribeTopic).topic];
    const fromBeginning = subscription.fromBeginning === true;
    for (const topic of topics) {
      if (typeof topic === 'string') {
        try {
          log.partitionCount(topic);
        } catch (err) {
          if (!hasCode(err, 'UNKNOWN_TOPIC_OR_PARTITION') || this.#config.allowAutoTopicCreation === false) throw err;
          await log.createTopic({ topic }).catch((e) => {
            if (!hasCode(e, 'TOPIC_ALREADY_EXISTS')) throw e;
          });
        }
      } else if (!(topic instanceof RegExp)) {
        throw new TypeError(`Subscribed topics must be strings or RegExps; got ${typeof topic}`);
      }
      this.#subscriptions.push({ topic, fromBeginning });
    }
  }

  async #subscribedTopics(log: LogBackend): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    let all: string[] | undefined;
    for (const s of this.#subscriptions) {
      if (typeof s.topic === 'string') {
        out.set(s.topic, s.fromBeginning || out.get(s.topic) === true);
        continue;
      }
      all ??= await log.listTopics();
      for (const t of all) {
        if (t === OFFSETS_TOPIC) continue;
        s.topic.lastIndex = 0;
        if (s.topic.test(t)) out.set(t, s.fromBeginning || out.get(t) === true);
      }
    }
    return out;
  }

  /**
   * Starts consuming. Resolves once the consumer joined its group and received its partitions;
   * consumption goes on in the background until {@link stop} or {@link disconnect}.
   */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    this.#requireLog();
    if (this.#running) throw new TypeError('The consumer is already running');
    if (typeof config.eachMessage !== 'function' && typeof config.eachBatch !== 'function') {
      throw new TypeError('run needs eachMessage or eachBatch');
    }
    this.#run = config;
    this.#running = true;
    this.#semaphore = new Semaphore(Math.max(1, config.partitionsConsumedConcurrently ?? 1));
    this.#fetchBudget = new FetchBudget(this.#config.maxBytes ?? 10_485_760, () =>
      Math.max(this.#assigned, this.#runners.size),
    );
    this.#offsets.start();
    this.#newRejoinSignal();
    // A running consumer is a service, as in kafkajs: it holds the process until stop() or
    // disconnect(). Its idle internals (heartbeat and commit timers, waits for data) are unref'd,
    // so this one handle is what keeps the process alive, and stop() lets it go.
    this.#keepAlive ??= setInterval(noop, 1 << 30);
    try {
      await this.#joinAndSync();
    } catch (err) {
      this.#running = false;
      this.#releaseKeepAlive();
      throw err;
    }
    this.#mainLoop = this.#loop();
  }

  #keepAlive: ReturnType<typeof setInterval> | undefined;

  #releaseKeepAlive(): void {
    if (this.#keepAlive !== undefined) clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }

  #newRejoinSignal(): void {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.#rejoin = { promise, resolve };
    this.#rejoinRequested = false;
  }

  #requestRejoin(): void {
    this.#rejoinRequested = true;
    this.#rejoin?.resolve();
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      await this.#rejoin!.promise;
      if (!this.#running) return;
      this.#emitter.emit(ConsumerEvents.REBALANCING, { groupId: this.#groupId, memberId: this.#memberId });
      try {
        if (this.#protocol?.rebalanceProtocol !== 'cooperative') await this.#revoke([...this.#runners.values()], true);
        this.#newRejoinSignal();
        await this.#joinAndSync();
      } catch (err) {
        if (!this.#running) return;
        this.#logger.error('Rejoining the group failed', { groupId: this.#groupId, error: String(err) });
        this.#emitter.emit(ConsumerEvents.CRASH, { error: err, groupId: this.#groupId, restart: true });
        this.#requestRejoin();
      }
    }
  }

  /** Joins (or rejoins) and applies the new assignment; loops while the group keeps rebalancing. */
  async #joinAndSync(): Promise<void> {
    const log = this.#requireLog();
    for (;;) {
      if (!this.#running) return;
      // Partitions lost with the membership (their runners stopped): drop them without committing.
      const lost = [...this.#runners.values()].filter((r) => !r.active);
      if (lost.length > 0) await this.#revoke(lost, false);
      const started = this.#ctx.clock.now();
      const subscribed = await this.#subscribedTopics(log);
      const topics = [...subscribed.keys()];
      const owned: TopicPartitions[] = [];
      for (const r of this.#runners.values()) {
        const entry = owned.find((o) => o.topic === r.topic);
        if (entry) entry.partitions.push(r.partition);
        else owned.push({ topic: r.topic, partitions: [r.partition] });
      }
      const outcome = await this.#requireMembership().join(topics, owned, () => this.#running);
      if (outcome.kind === 'stopped') return;
      if (outcome.kind === 'retry') continue;
      if (outcome.kind === 'lost') {
        await this.#lose();
        continue;
      }
      const { join } = outcome;
      let { assignment } = outcome;
      this.#protocol = outcome.protocol;
      // As kafkajs: partitions of topics this member did not subscribe to (a leader's assignor
      // may hand them out) are announced and left alone.
      const notSubscribed = Object.keys(assignment).filter((t) => !subscribed.has(t));
      if (notSubscribed.length > 0) {
        this.#emitter.emit(ConsumerEvents.RECEIVED_UNSUBSCRIBED_TOPICS, {
          groupId: this.#groupId,
          generationId: join.generationId,
          memberId: join.memberId,
          assignedTopics: Object.keys(assignment),
          topicsSubscribed: topics,
          topicsNotSubscribed: notSubscribed,
        });
        this.#logger.warn('Consumer group received unsubscribed topics', {
          groupId: this.#groupId,
          topicsNotSubscribed: notSubscribed,
        });
        assignment = Object.fromEntries(Object.entries(assignment).filter(([t]) => subscribed.has(t)));
      }
      const wanted = new Set<string>();
      for (const [topic, partitions] of Object.entries(assignment))
        for (const p of partitions) wanted.add(key(topic, p));
      this.#assigned = wanted.size;
      const revoked = [...this.#runners.values()].filter((r) => !wanted.has(r.key));
      if (revoked.length > 0) await this.#revoke(revoked, true);
      this.#scheduleHeartbeat();
      const memberAssignment: Record<string, number[]> = {};
      for (const [topic, partitions] of Object.entries(assignment))
        memberAssignment[topic] = [...partitions].sort((a, b) => a - b);
      this.#emitter.emit(ConsumerEvents.GROUP_JOIN, {
        duration: this.#ctx.clock.now() - started,
        groupId: this.#groupId,
        isLeader: join.leaderId === join.memberId,
        leaderId: join.leaderId,
        groupProtocol: join.protocol,
        memberId: join.memberId,
        memberAssignment,
      });
      // Thousands of partitions start in slices: each start reads the log, and the heartbeat and
      // the rest of the process must not wait for all of them. A microtask turn after each start
      // lets that partition's first fetch run inside this slice (checking only `slice.due`, the
      // fetches of a whole slice ran after it, uncounted, for two to three times its length).
      const slice = new TimeSlice();
      for (const [topic, partitions] of Object.entries(assignment)) {
        for (const p of partitions) {
          await slice.pause();
          if (!this.#running) return;
          if (!this.#runners.has(key(topic, p))) this.#start(log, topic, p, subscribed.get(topic) === true);
        }
      }
      // Cooperative: partitions given up must reach their new owner in a follow-up rebalance.
      if (revoked.length > 0 && this.#protocol.rebalanceProtocol === 'cooperative') this.#requestRejoin();
      return;
    }
  }

  #start(log: LogBackend, topic: string, partition: number, fromBeginning: boolean): void {
    const k = key(topic, partition);
    const offsets = log.offsets(topic, partition);
    const committed = this.#coordinator!.offsets.get(this.#groupId, topic, partition)?.offset;
    const seek = this.#pendingSeeks.get(k);
    this.#pendingSeeks.delete(k);
    // kafkajs's sentinels (resetOffsets, setOffsets): -2 the log start, -1 the end.
    const stored = committed === -2 ? offsets.logStartOffset : committed === -1 ? offsets.highWatermark : committed;
    let position = seek ?? stored ?? (fromBeginning ? offsets.logStartOffset : offsets.highWatermark);
    if (position < offsets.logStartOffset || position > offsets.highWatermark) {
      position = fromBeginning ? offsets.logStartOffset : offsets.highWatermark;
    }
    const runner: PartitionRunner = {
      topic,
      partition,
      key: k,
      position,
      resolved: position,
      committed: committed ?? -1,
      active: true,
      failures: 0,
      wait: new WaitInterrupt(),
      pause: () => {
        this.pause([{ topic, partitions: [partition] }]);
        return () => this.resume([{ topic, partitions: [partition] }]);
      },
      heartbeat: async () => {
        this.#heartbeatNow();
      },
    };
    this.#runners.set(k, runner);
    runner.loop = this.#consume(log, runner, fromBeginning).catch((error) => {
      runner.active = false;
      this.#logger.error('Consuming a partition failed', { topic, partition, error: String(error) });
      this.#emitter.emit(ConsumerEvents.CRASH, { error, groupId: this.#groupId, restart: false });
    });
  }

  /** Stops runners, waits for their current message or batch, and commits what they processed. */
  async #revoke(runners: PartitionRunner[], commit: boolean): Promise<void> {
    await this.#halt(runners);
    // A commit after a batch still on its way lands first (with this generation), and none follows.
    await this.#offsets.settled();
    if (commit && this.#run?.autoCommit !== false) {
      await this.#offsets.commitResolved(runners).catch((err) => {
        this.#logger.warn('Commit of revoked partitions failed', { groupId: this.#groupId, error: String(err) });
      });
    }
    for (const r of runners) this.#runners.delete(r.key);
  }

  /**
   * Stops runners and waits for their loops. Every runner stops taking batches at once; the waits
   * are ended in slices, one microtask turn apiece, so that each runner's way out runs inside the
   * slice that woke it (10,000 of them woken in one go ran for tens of milliseconds).
   */
  async #halt(runners: PartitionRunner[]): Promise<void> {
    for (const r of runners) r.active = false;
    const slice = new TimeSlice();
    for (const r of runners) {
      await slice.pause();
      r.wait.interrupt();
      this.#resumeWaiters.get(r.key)?.();
    }
    await Promise.all(runners.map((r) => r.loop));
  }

  /** The member was dropped: its partitions are someone else's now; nothing is committed. */
  async #lose(): Promise<void> {
    await this.#revoke([...this.#runners.values()], false);
  }

  #isPaused(topic: string, partition: number): boolean {
    const p = this.#paused.get(topic);
    return p === 'all' || p?.has(partition) === true;
  }

  async #consume(log: LogBackend, r: PartitionRunner, fromBeginning: boolean): Promise<void> {
    const run = this.#run!;
    const fetcher = new Fetcher(log, {
      isolation: this.#isolation,
      maxBytes: this.#config.maxBytesPerPartition ?? 1_048_576,
      budget: this.#fetchBudget,
    });
    try {
      await this.#consumeWith(fetcher, r, run, fromBeginning);
    } finally {
      // Stopped, revoked or failed: what it read ahead is nobody's now.
      fetcher.forget();
    }
  }

  /** A partition runner's loop: fetch, wait for a turn, process, commit after the batch; until stopped. */
  async #consumeWith(
    fetcher: Fetcher,
    r: PartitionRunner,
    run: ConsumerRunConfig,
    fromBeginning: boolean,
  ): Promise<void> {
    const listening = () =>
      this.#emitter.has(ConsumerEvents.FETCH) ||
      this.#emitter.has(ConsumerEvents.START_BATCH_PROCESS) ||
      this.#emitter.has(ConsumerEvents.END_BATCH_PROCESS);
    const fetchStart = () => {
      if (this.#emitter.has(ConsumerEvents.FETCH_START)) this.#emitter.emit(ConsumerEvents.FETCH_START, { nodeId: 0 });
    };
    while (r.active && this.#running) {
      if (this.#isPaused(r.topic, r.partition)) {
        fetcher.forget();
        await new Promise<void>((resolve) => this.#resumeWaiters.set(r.key, resolve));
        this.#resumeWaiters.delete(r.key);
        continue;
      }
      if (r.seekTo !== undefined) {
        r.position = r.resolved = r.seekTo;
        r.seekTo = undefined;
      }
      const fetchStarted = this.#ctx.clock.now();
      let fetched: Fetched;
      try {
        fetched = await fetcher.fetch(r.topic, r.partition, r.position, r.wait, fetchStart);
      } catch (err) {
        if (!r.active || !this.#running) return;
        throw err;
      }
      if (fetched.kind === 'gone' || !r.active || !this.#running) return;
      if (fetched.kind === 'waited' || r.seekTo !== undefined) continue;
      if (fetched.kind === 'out-of-range') {
        r.position = r.resolved = fromBeginning ? fetched.logStartOffset : fetched.highWatermark;
        continue;
      }
      if (fetched.kind === 'skip') {
        // Only control records, aborted records or compacted gaps: step over them (and let the
        // committed offset follow when everything before them was processed).
        if (r.resolved === r.position) r.resolved = fetched.to;
        r.position = fetched.to;
        continue;
      }
      const { batch } = fetched;
      if (listening())
        this.#emitter.emit(ConsumerEvents.FETCH, {
          numberOfBatches: 1,
          duration: this.#ctx.clock.now() - fetchStarted,
          nodeId: 0,
        });
      const acquired = this.#semaphore.acquire();
      if (acquired !== undefined) await acquired;
      this.#processing++;
      try {
        if (!r.active || !this.#running || r.seekTo !== undefined) continue;
        const ok = await this.#process(r, batch, run);
        if (ok) {
          r.failures = 0;
          if (this.#offsets.afterBatchDue()) this.#offsets.commitAfterBatch(this.#commitFailedHandler);
        }
      } finally {
        this.#processing--;
        this.#semaphore.release();
      }
      if (this.#heartbeatDue) this.#heartbeatNow();
    }
  }

  /** Processes one batch; false when the handler threw (the batch is retried after a backoff). */
  async #process(r: PartitionRunner, batch: FetchedMessages, run: ConsumerRunConfig): Promise<boolean> {
    const { topic, partition } = r;
    const { offsets, highWatermark } = batch;
    const first = offsets[0]!;
    const last = offsets[offsets.length - 1]!;
    const started = this.#ctx.clock.now();
    const tracking =
      this.#emitter.has(ConsumerEvents.START_BATCH_PROCESS) || this.#emitter.has(ConsumerEvents.END_BATCH_PROCESS);
    if (tracking)
      this.#emitter.emit(
        ConsumerEvents.START_BATCH_PROCESS,
        batchInfo(topic, partition, highWatermark, first, last, offsets.length),
      );
    try {
      if (run.eachMessage !== undefined) await runEachMessage(r, batch, run.eachMessage, this.#runnerHost);
      else if (run.eachBatch !== undefined) await runEachBatch(r, batch, run, this.#runnerHost);
    } catch (error) {
      this.#logger.error(`Error when calling ${run.eachMessage ? 'eachMessage' : 'eachBatch'}`, {
        topic,
        partition,
        error: String(error),
      });
      if (run.autoCommit !== false) await this.#offsets.commitResolved().catch(() => undefined);
      r.position = r.resolved;
      r.failures++;
      // As kafkajs's runner: the batch is retried `retry.retries` times (default 5) with a growing
      // backoff; then the consumer crashes with KafkaJSNumberOfRetriesExceeded.
      if (r.failures > (this.#retry?.retries ?? 5)) {
        this.#crash(
          new KafkaJSNumberOfRetriesExceeded(error as Error, {
            retryCount: r.failures - 1,
            retryTime: this.#retryTime(r.failures),
          }),
        );
        return false;
      }
      await this.#backoff(r);
      return false;
    }
    if (tracking) {
      const info = batchInfo(topic, partition, highWatermark, first, last, offsets.length);
      this.#emitter.emit(ConsumerEvents.END_BATCH_PROCESS, { ...info, duration: this.#ctx.clock.now() - started });
    }
    return true;
  }

  readonly #commitFailedHandler = (err: unknown) => this.#commitFailed(err);

  /** An automatic commit that failed: the member was fenced or the group is rebalancing; it rejoins. */
  #commitFailed(err: unknown): void {
    this.#logger.warn('Automatic commit failed', { groupId: this.#groupId, error: String(err) });
  }

  #retryTime(failures: number): number {
    const initial = this.#retry?.initialRetryTime ?? 300;
    const max = this.#retry?.maxRetryTime ?? 30_000;
    return Math.min(max, initial * 2 ** Math.min(20, failures - 1));
  }

  /**
   * The consumer exhausted its retries: as kafkajs, it stops, and restarts (rejoining from the
   * committed offsets) after a backoff when the error is retriable and `retry.restartOnFailure`
   * (default: yes) says so. CRASH's `restart` says which.
   */
  #crash(error: TributaryError): void {
    if (this.#crashing) return;
    this.#crashing = true;
    const run = this.#run!;
    for (const r of this.#runners.values()) {
      r.active = false;
      r.wait.interrupt();
      this.#resumeWaiters.get(r.key)?.();
    }
    void (async () => {
      const retriable = error instanceof KafkaJSNumberOfRetriesExceeded || rootCause(error).retriable === true;
      const decide = this.#retry?.restartOnFailure;
      let restart = retriable;
      if (restart && decide !== undefined) {
        restart = await decide(error).catch((err) => {
          this.#logger.error('restartOnFailure threw; restarting', { groupId: this.#groupId, error: String(err) });
          return true;
        });
      }
      this.#logger.error(`Crash: ${error.name}: ${error.message}`, { groupId: this.#groupId, restart });
      // The pending restart is a service still running: it holds the process as run() does.
      const hold = restart ? setInterval(noop, 1 << 30) : undefined;
      try {
        await this.stop();
        this.#crashing = false;
        this.#emitter.emit(ConsumerEvents.CRASH, { error, groupId: this.#groupId, restart });
        if (!restart) return;
        const retryTime = (error as { retryTime?: number }).retryTime || (this.#retry?.initialRetryTime ?? 300);
        await new Promise<void>((resolve) => this.#ctx.clock.setTimeout(resolve, retryTime));
        if (this.#log === undefined || this.#running) return;
        await this.run(run);
      } catch (err) {
        this.#logger.error('Restarting the consumer failed', { groupId: this.#groupId, error: String(err) });
      } finally {
        this.#crashing = false;
        if (hold !== undefined) clearInterval(hold);
      }
    })();
  }

  #crashing = false;

  #backoff(r: PartitionRunner): Promise<void> {
    if (!r.active || !this.#running) return Promise.resolve();
    const delay = this.#retryTime(r.failures);
    if (delay <= 0) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      // A stop or revoke ends the wait early.
      const cancel = {
        interrupted: () => {
          this.#ctx.clock.clearTimeout(timer);
          resolve();
        },
      };
      const timer = this.#ctx.clock.setTimeout(() => {
        r.wait.unlisten(cancel);
        resolve();
      }, delay);
      r.wait.listen(cancel);
    });
  }

  /** Commits offsets (the next offset to consume, as in Kafka) for this consumer's group. */
  async commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    this.#requireLog();
    if (!Array.isArray(topicPartitions))
      throw new TypeError('commitOffsets takes an array of { topic, partition, offset }');
    await this.#offsets.commit(topicPartitions);
  }

  #scheduleHeartbeat(): void {
    if (this.#heartbeatTimer !== undefined) return;
    const interval = this.#config.heartbeatInterval ?? 3_000;
    const tick = () => {
      this.#heartbeatTimer = undefined;
      if (!this.#running) return;
      // A member busy in a handler heartbeats from the handler's loop (between messages), as in
      // kafkajs: one stuck in a handler stops heartbeating and loses its partitions.
      if (this.#processing > 0) this.#heartbeatDue = true;
      else this.#heartbeatNow();
      this.#heartbeatTimer = this.#ctx.clock.setTimeout(tick, interval);
    };
    this.#heartbeatTimer = this.#ctx.clock.setTimeout(tick, interval);
  }

  #heartbeatNow(): void {
    this.#heartbeatDue = false;
    const coordinator = this.#coordinator;
    if (coordinator === undefined || this.#memberId === '' || !this.#running) return;
    try {
      this.#membership?.heartbeat();
      this.#emitter.emit(ConsumerEvents.HEARTBEAT, {
        groupId: this.#groupId,
        memberId: this.#memberId,
        groupGenerationId: this.#generationId,
      });
    } catch (err) {
      if (hasCode(err, 'UNKNOWN_MEMBER_ID')) {
        this.#membership?.reset();
        // Partitions are lost: stop reading them without committing.
        for (const r of this.#runners.values()) {
          r.active = false;
          r.wait.interrupt();
        }
      }
      this.#requestRejoin();
    }
  }

  /** Moves a partition's position; applies at its next fetch (or when it is assigned). */
  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    this.#requireRunning('seek');
    let o = parseOffset(offset);
    if (o < -2) throw new TypeError(`offset must be ≥ 0, or -1 (latest) or -2 (earliest); got ${offset}`);
    if (o < 0) {
      const ends = this.#requireLog().offsets(topic, partition);
      o = o === -2 ? ends.logStartOffset : ends.highWatermark;
    }
    const r = this.#runners.get(key(topic, partition));
    if (r === undefined) {
      this.#pendingSeeks.set(key(topic, partition), o);
      return;
    }
    r.seekTo = o;
    r.wait.interrupt();
    if (this.#run?.autoCommit !== false && this.#running) {
      void this.#offsets.commit([{ topic, partition, offset: String(o) }]).catch(() => undefined);
    }
  }

  /** Stops fetching the partitions named (every partition of a topic without `partitions`) until {@link resume}; their place in the group stays. */
  pause(topics: { topic: string; partitions?: number[] }[]): void {
    this.#requireRunning('pause');
    for (const { topic, partitions } of topics) {
      if (partitions === undefined) {
        this.#paused.set(topic, 'all');
        continue;
      }
      const current = this.#paused.get(topic);
      if (current === 'all') continue;
      const set = current ?? new Set<number>();
      for (const p of partitions) set.add(p);
      this.#paused.set(topic, set);
    }
  }

  /** Fetches paused partitions again, from where they stopped. */
  resume(topics: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topics) {
      const current = this.#paused.get(topic);
      if (current === undefined) continue;
      if (partitions === undefined) this.#paused.delete(topic);
      else if (current === 'all') {
        const n = this.#log?.partitionCount(topic) ?? 0;
        const rest = new Set<number>();
        for (let p = 0; p < n; p++) if (!partitions.includes(p)) rest.add(p);
        this.#paused.set(topic, rest);
      } else {
        for (const p of partitions) current.delete(p);
        if (current.size === 0) this.#paused.delete(topic);
      }
      for (const r of this.#runners.values()) {
        if (r.topic === topic && !this.#isPaused(r.topic, r.partition)) this.#resumeWaiters.get(r.key)?.();
      }
    }
  }

  /** The partitions paused now. */
  paused(): TopicPartitions[] {
    const out: TopicPartitions[] = [];
    for (const r of this.#runners.values()) {
      if (!this.#isPaused(r.topic, r.partition)) continue;
      const entry = out.find((o) => o.topic === r.topic);
      if (entry) entry.partitions.push(r.partition);
      else out.push({ topic: r.topic, partitions: [r.partition] });
    }
    return out;
  }

  /** The partitions this member consumes now. */
  assignment(): TopicPartitions[] {
    const out: TopicPartitions[] = [];
    for (const r of this.#runners.values()) {
      const entry = out.find((o) => o.topic === r.topic);
      if (entry) entry.partitions.push(r.partition);
      else out.push({ topic: r.topic, partitions: [r.partition] });
    }
    for (const o of out) o.partitions.sort((a, b) => a - b);
    return out.sort((a, b) => (a.topic < b.topic ? -1 : 1));
  }

  /** This consumer's group as `admin.describeGroups` describes it. */
  async describeGroup(): Promise<GroupDescription> {
    this.#requireLog();
    return this.#coordinator!.describeGroup(this.#groupId);
  }

  /** Stops consuming: finishes the current message or batch, commits (with autoCommit) and leaves the group. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    const runners = [...this.#runners.values()];
    await this.#halt(runners);
    if (this.#run?.autoCommit !== false && this.#memberId !== '') {
      await this.#offsets
        .commitResolved(runners)
        .catch((err) => this.#logger.warn('Final commit failed', { groupId: this.#groupId, error: String(err) }));
    }
    await this.#offsets.settled();
    this.#running = false;
    // Leaving first also ends a join or sync still waiting for other members.
    this.#membership?.leave();
    this.#rejoin?.resolve();
    await this.#mainLoop?.catch(() => undefined);
    this.#runners.clear();
    if (this.#heartbeatTimer !== undefined) this.#ctx.clock.clearTimeout(this.#heartbeatTimer);
    this.#heartbeatTimer = undefined;
    this.#membership?.reset();
    this.#releaseKeepAlive();
    this.#emitter.emit(ConsumerEvents.STOP, null);
  }

  /**
   * The messages of this (connected, subscribed) consumer as an rxjs `Observable`: subscribing runs
   * the consumer, unsubscribing stops it and commits what was handled. See {@link observeConsumer}
   * for how back-pressure works.
   *
   * @example
   * consumer.observe().pipe(take(3)).subscribe(({ message }) => console.log(String(message.value)));
   */
  observe(options: ObserveOptions = {}): Observable<ObservedMessage> {
    return observeConsumer(this, options);
  }

  static {
    rejoinRequested = (consumer) => consumer.#rejoinRequested;
  }
}

/** Not part of the API (not exported by src/index.ts), for tests and tools: whether the consumer has a rejoin pending. */
export function consumerRebalancePending(consumer: Consumer): boolean {
  return rejoinRequested(consumer);
}

/** What kafkajs's START_BATCH_PROCESS and END_BATCH_PROCESS events tell about a batch. */
function batchInfo(
  topic: string,
  partition: number,
  highWatermark: number,
  first: number,
  last: number,
  batchSize: number,
) {
  return {
    topic,
    partition,
    highWatermark: String(highWatermark),
    offsetLag: String(Math.max(0, highWatermark - 1 - last)),
    offsetLagLow: String(Math.max(0, highWatermark - 1 - first)),
    batchSize,
    firstOffset: String(first),
    lastOffset: String(last),
  };
}
