import type { ConnectionOptions } from 'node:tls';
import { type Clock, systemClock } from '../clock.ts';
import { type LogBackend, openLog } from '../log/index.ts';
import { Admin } from './admin.ts';
import { Consumer, type ConsumerConfig } from './consumer.ts';
import type { ClientContext } from './context.ts';
import type { GroupCoordinator } from '../cluster/group-coordinator.ts';
import { createLogger, type LogCreator, type Logger, logLevel } from './logger.ts';
import { Producer, type ProducerConfig } from './producer.ts';
import { acquireSharedLog, adoptLog, privateLog, releaseSharedLog, type SharedLog } from './shared-log.ts';
import { TributaryError } from '../errors.ts';
import type { WireContext } from './context.ts';
import type { WireCluster } from './wire/cluster.ts';
import type { WireFetcher } from './wire/fetcher.ts';
import type { WireGroup } from './wire/group.ts';

/** Options of {@link Tributary}. */
export interface TributaryConfig {
  /** Where the log lives. Default `./.tributary`. */
  dataDir?: string;
  /**
   * `leveldb` (default) or `memory`: kept for the life of this Tributary (until {@link Tributary.close}),
   * not shared with other Tributaries; for tests.
   */
  storage?: 'leveldb' | 'memory';
  /** Use this log instead of opening one; the Tributary then never closes it. */
  log?: LogBackend;
  /** Names this client in member ids and logs. Default `tributary`. */
  clientId?: string;
  /** Default {@link logLevel.INFO}. */
  logLevel?: logLevel;
  /** A kafkajs-style log creator. Default: JSON lines on stderr. */
  logCreator?: LogCreator;
  /** Time for session timeouts, heartbeats and auto-commit intervals. Default: the wall clock. */
  clock?: Clock;
  /**
   * Kafka brokers to speak Kafka's protocol to (Apache Kafka, Redpanda or `trib serve`), as kafkajs
   * takes them: `['host:9092', …]` or a function returning such a list (called on each connect).
   * With `brokers` nothing is opened on disk; giving `dataDir`, `storage` or `log` as well is an
   * `INVALID_CLIENT_CONFIG` error.
   */
  brokers?: string[] | BrokersFunction;
  /** TLS options of the wire client, as kafkajs's (`true`, or node's `tls.connect` options). Not used by the embedded log. */
  ssl?: boolean | ConnectionOptions;
  /** SASL of the wire client, as kafkajs's. Not used by the embedded log. */
  sasl?: SASLOptions;
  /** Default retry of every client (`retries`, `initialRetryTime`, `maxRetryTime`, `factor`, `multiplier`, `restartOnFailure`); a client's own `retry` wins. */
  retry?: RetryOptions;
  /** Milliseconds the wire client waits for a connection. Default 1 000, as kafkajs. */
  connectionTimeout?: number;
  /** Milliseconds the wire client waits for an answer. Default 30 000, as kafkajs. */
  requestTimeout?: number;
  /** Also kafkajs's. */
  authenticationTimeout?: number;
  reauthenticationThreshold?: number;
  /** Wire only: false lets requests wait for ever. Default true. */
  enforceRequestTimeout?: boolean;
}

/** kafkajs's `brokers` given as a function. */
export type BrokersFunction = () => string[] | Promise<string[]>;

/** kafkajs's retry options. */
export interface RetryOptions {
  maxRetryTime?: number;
  initialRetryTime?: number;
  factor?: number;
  multiplier?: number;
  retries?: number;
  /** After the retries are spent: whether to restart (a consumer rejoins from its committed offsets). Default: yes. */
  restartOnFailure?: (e: Error) => Promise<boolean>;
}

/** kafkajs's SASL options: one of its mechanisms, or a custom one. */
export type SASLOptions =
  | { mechanism: 'plain'; username: string; password: string }
  | { mechanism: 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  | {
      mechanism: 'aws';
      authorizationIdentity: string;
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken?: string;
    }
  | {
      mechanism: 'oauthbearer';
      /** Called for each authentication: the OAuth bearer token to send. */
      oauthBearerProvider: () => Promise<{ value: string }>;
    }
  | {
      mechanism: string;
      /** kafkajs's custom mechanism: makes the authenticator of one connection. */
      authenticationProvider: (args: {
        host: string;
        port: number;
        sasl: unknown;
        logger: Logger;
        saslAuthenticate: unknown;
      }) => unknown;
    };

/** Each Tributary's client context, for the layers above the clients (streams) to join its groups. */
const contexts = new WeakMap<Tributary, ClientContext>();

/**
 * Internal: the context a Tributary gives its clients (its log, clock and group coordinator), for
 * the streams runtime. Not exported from the front door.
 */
export function clientContextOf(tributary: Tributary): ClientContext {
  const context = contexts.get(tributary);
  if (context === undefined) throw new TypeError('not a Tributary');
  return context;
}

/**
 * The entry point, shaped like kafkajs's `Kafka`: it uses one embedded log and hands out
 * producers, consumers and admins that share it. The log opens when the first client connects
 * and is let go when the last one disconnects (or on {@link Tributary.close}). Tributaries of one
 * process on the same `dataDir` share one open log and one group coordinator (see
 * `shared-log.ts`), so two modules each with its own `new Tributary({ dataDir })` work together.
 *
 * @example
 * const tributary = new Tributary({ dataDir: './.tributary', clientId: 'my-app' });
 * const producer = tributary.producer();
 * await producer.connect();
 * await producer.send({ topic: 'greetings', messages: [{ value: 'hello' }] });
 * await producer.disconnect();
 */
export class Tributary {
  readonly #config: TributaryConfig;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #context: ClientContext;
  /** The log this Tributary uses, shared with the other Tributaries of the process on its directory. */
  #shared: SharedLog | undefined;
  /** Its clients that are connected. */
  #users = 0;
  #lifecycle: Promise<unknown> = Promise.resolve();

  constructor(config: TributaryConfig = {}) {
    if (config === null || typeof config !== 'object') throw new TypeError('new Tributary takes an options object');
    const wire = config.brokers !== undefined;
    if (wire && (config.dataDir !== undefined || config.storage !== undefined || config.log !== undefined)) {
      throw new TributaryError(
        'INVALID_CLIENT_CONFIG',
        "Give either brokers (speak Kafka's protocol to a cluster) or dataDir/storage/log (the embedded log), not both",
      );
    }
    if (
      wire &&
      typeof config.brokers !== 'function' &&
      (!Array.isArray(config.brokers) || config.brokers.length === 0)
    ) {
      throw new TributaryError(
        'INVALID_CLIENT_CONFIG',
        'brokers must be a non-empty list of "host:port" or a function returning one',
      );
    }
    this.#config = config;
    this.#clock = config.clock ?? config.log?.clock ?? systemClock;
    this.#logger = createLogger({
      level: config.logLevel ?? logLevel.INFO,
      logCreator: config.logCreator,
      now: () => this.#clock.now(),
    });
    this.#context = {
      clientId: config.clientId ?? 'tributary',
      clock: this.#clock,
      logger: this.#logger,
      retry: config.retry,
      acquire: () => this.#acquire(),
      release: () => this.#release(),
      coordinator: () => this.#getCoordinator(),
      wire: wire ? this.#wireContext(config) : undefined,
    };
    contexts.set(this, this.#context);
  }

  /** A producer; see {@link Producer}. */
  producer(config: ProducerConfig = {}): Producer {
    return new Producer(this.#context, config);
  }

  /** A consumer of a group; see {@link Consumer}. */
  consumer(config: ConsumerConfig): Consumer {
    return new Consumer(this.#context, config);
  }

  /** An admin client; see {@link Admin}. */
  admin(_config: object = {}): Admin {
    return new Admin(this.#context);
  }

  /** The root logger, as kafkajs's `kafka.logger()`. */
  logger(): Logger {
    return this.#logger;
  }

  /**
   * Ends this Tributary's use of its log now, whoever of its clients still uses it: a log it opened
   * closes unless another Tributary of the process shares it; a `storage: 'memory'` log (and its
   * data) is gone.
   */
  async close(): Promise<void> {
    this.#users = 0;
    const consumers = this.#wireConsumers;
    this.#wireConsumers = undefined;
    if (consumers !== undefined) await consumers.fetcher.transport.cluster.disconnect();
    // Every client's connections too: an admin or producer left connected would keep its sockets
    // (and the process) alive after the Tributary is closed.
    const clusters = [...this.#wireClusters];
    this.#wireClusters.clear();
    await Promise.all(clusters.map((cluster) => cluster.disconnect()));
    await this.#serial(() => this.#letGo());
  }

  /** Over the wire: the cluster views of this Tributary's clients, until they disconnect. */
  readonly #wireClusters = new Set<WireCluster>();

  /** Over the wire: the consumers' shared fetcher and group adapter, and how many consumers use them. */
  #wireConsumers: { fetcher: WireFetcher; group: WireGroup; users: number } | undefined;

  #wireContext(config: TributaryConfig): WireContext {
    const clientId = config.clientId ?? 'tributary';
    // The wire client (and the protocol codecs under it) loads on first use: an embedded program,
    // or a `trib` command on a data directory, never pays for it.
    const context: WireContext = {
      acquireConsumer: () =>
        this.#serial(async () => {
          if (this.#wireConsumers === undefined) {
            const [{ WireFetcher }, { WireGroup }] = await Promise.all([
              import('./wire/fetcher.ts'),
              import('./wire/group.ts'),
            ]);
            const fetcher = new WireFetcher(await context.connect({}));
            this.#wireConsumers = { fetcher, group: new WireGroup(fetcher), users: 0 };
          }
          // Every topic's metadata now, so that subscribing (which asks synchronously) finds them.
          const { transport } = this.#wireConsumers.fetcher;
          await transport.listTopics().then((names) => transport.cluster.refreshMetadata(names));
          this.#wireConsumers.users++;
          // The consumer calls the log's and the coordinator's methods; these adapters answer the
          // ones it uses over the wire (see wire/fetcher.ts and wire/group.ts).
          return {
            log: this.#wireConsumers.fetcher as unknown as LogBackend,
            coordinator: this.#wireConsumers.group as unknown as GroupCoordinator,
          };
        }),
      transactions: async (transport, transactionalId, identity) => {
        const { WireTransactions } = await import('./wire/transactions.ts');
        return new WireTransactions(transport, transactionalId, identity);
      },
      adminCalls: async (transport) => {
        const { WireAdminCalls } = await import('./wire/admin-calls.ts');
        return new WireAdminCalls(transport);
      },
      connect: async (instrumentation, retryDefaults) => {
        const [{ WireCluster }, { WireTransport }, { saslAuthenticator }] = await Promise.all([
          import('./wire/cluster.ts'),
          import('./wire/transport.ts'),
          import('./wire/sasl.ts'),
        ]);
        const cluster = new WireCluster({
          ssl: config.ssl,
          authenticate: config.sasl === undefined ? undefined : saslAuthenticator(config.sasl, clientId),
          brokers: config.brokers!,
          clientId,
          connectionTimeout: config.connectionTimeout,
          requestTimeout: config.requestTimeout,
          enforceRequestTimeout: config.enforceRequestTimeout,
          retry: { ...retryDefaults, ...config.retry },
          instrumentation,
          logger: this.#logger.namespace('Cluster'),
        });
        // Those of clients that disconnected are let go, so a long-lived Tributary does not collect them.
        for (const known of this.#wireClusters) if (known.closed) this.#wireClusters.delete(known);
        this.#wireClusters.add(cluster);
        await cluster.connect();
        return new WireTransport(cluster, () => this.#clock.now());
      },
    };
    return context;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#lifecycle.then(task, task);
    this.#lifecycle = run.catch(() => undefined);
    return run;
  }

  #acquire(): Promise<LogBackend> {
    if (this.#context.wire !== undefined) {
      // A Tributary made with brokers never opens a log on disk.
      return Promise.reject(
        new TributaryError(
          'UNSUPPORTED_OPERATION',
          'This is not available over the wire yet; it needs the embedded log (a Tributary made with dataDir)',
        ),
      );
    }
    return this.#serial(async () => {
      if (this.#shared === undefined) {
        const { log, dataDir, storage } = this.#config;
        if (log !== undefined) this.#shared = adoptLog(log);
        else if (storage === 'memory') this.#shared = privateLog(await openLog({ storage, clock: this.#clock }));
        else {
          const dir = dataDir ?? './.tributary';
          this.#shared = await acquireSharedLog(dir, () => openLog({ dataDir: dir, storage, clock: this.#clock }));
        }
      }
      this.#users++;
      return this.#shared.log;
    });
  }

  #release(): Promise<void> {
    if (this.#context.wire !== undefined) {
      return this.#serial(async () => {
        const consumers = this.#wireConsumers;
        if (consumers === undefined) return;
        consumers.users--;
        if (consumers.users > 0) return;
        this.#wireConsumers = undefined;
        consumers.group.close();
        await consumers.fetcher.transport.cluster.disconnect();
      });
    }
    return this.#serial(async () => {
      this.#users = Math.max(0, this.#users - 1);
      // A memory log keeps its data for the life of the Tributary: only close() ends it.
      if (this.#users === 0 && this.#config.storage !== 'memory') await this.#letGo();
    });
  }

  async #letGo(): Promise<void> {
    const shared = this.#shared;
    this.#shared = undefined;
    if (shared !== undefined) await releaseSharedLog(shared);
  }

  #getCoordinator(): Promise<GroupCoordinator> {
    const shared = this.#shared;
    if (shared === undefined) return Promise.reject(new Error('The log is not open'));
    return shared.coordinator(this.#clock, this.#logger);
  }
}
