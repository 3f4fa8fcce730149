/**
 * The broker: Kafka's wire protocol on a TCP port, over the same log and group coordinator that
 * in-process clients use. See `serve`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ReadAhead } from './read-ahead.ts';
import { RequestMetrics } from './request-metrics.ts';
import type { Server, Socket } from 'node:net';
import { resolve } from 'node:path';
import { type Clock, systemClock } from '../clock.ts';
import type { GroupCoordinator } from '../cluster/group-coordinator.ts';
import { acquireCoordinator, releaseCoordinator } from '../cluster/shared-group-coordinator.ts';
import { acquireSharedLog, privateLog, releaseSharedLog, type SharedLog } from '../client/shared-log.ts';
import { createLogger, type LogCreator, type Logger, logLevel } from '../client/logger.ts';
import { type LogBackend, openLog, type TopicConfigInput } from '../log/index.ts';
import { forgetBroker, recordBroker } from '../log/storage/data-dir.ts';
import type { AuthorizerConfig } from '../security/acl.ts';
import { Connection, type Session } from './connection.ts';
import type { BrokerContext, Endpoint } from './context.ts';
import { advertisedApis } from './handlers/index.ts';
import { Authenticator, type BrokerSaslOptions, type SaslConfig, saslConfig } from './security/authenticator.ts';
import {
  ANONYMOUS,
  type BrokerSslOptions,
  checkListeners,
  createListenerServer,
  type ListenerSpec,
  listen,
  parseListener as parseListenerSpec,
  type SecurityProtocol,
  usesSasl,
} from './security/listeners.ts';
import { SecurityStore } from '../security/store.ts';
import { TxnRegistry } from './transactions.ts';

/** Options of {@link serve}. */
export interface BrokerOptions {
  /**
   * The data directory to open when no `log` is given. Default `./.tributary`. A `new Tributary({ dataDir })`
   * of the same process on the same directory shares the broker's open log, groups and offsets.
   */
  dataDir?: string;
  /** `leveldb` (default) or `memory`, for a log the broker opens. */
  storage?: 'leveldb' | 'memory';
  /**
   * Serve this log instead of opening one; the broker then never closes it. In-process clients
   * handed the same log (`new Tributary({ log })`) share the broker's groups and committed offsets.
   */
  log?: LogBackend;
  /**
   * Kafka's `listeners`: `PROTOCOL://host:port` each (`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT`,
   * `SASL_SSL`), several at once. Default one `PLAINTEXT` listener on `host`:`port`.
   */
  listeners?: readonly (string | ListenerSpec)[];
  /**
   * Kafka's `advertised.listeners`: `PROTOCOL://host:port` for the listeners whose clients must be
   * told another address than the one listened on (matched by name).
   */
  advertisedListeners?: readonly string[];
  /** TLS of `SSL` and `SASL_SSL` listeners: certificate, key, client CA and `clientAuth`. */
  ssl?: BrokerSslOptions;
  /** SASL of `SASL_*` listeners: enabled mechanisms (default SCRAM-SHA-256 and -512) and validators. */
  sasl?: BrokerSaslOptions;
  /**
   * Turns Kafka's ACL authorizer on (`authorizer.class.name`): `true`, or its settings
   * (`superUsers`, `allowEveryoneIfNoAclFound`, default false). ACLs are kept in the log.
   */
  authorizer?: boolean | AuthorizerConfig;
  /** Kafka's `max.connections.per.ip`: further connections from an address are closed. Default unlimited. */
  maxConnectionsPerIp?: number;
  /** The interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Default 9092; 0 picks a free port (see {@link Broker.address}). */
  port?: number;
  /**
   * What Metadata and FindCoordinator tell clients to connect to, `host:port` (Kafka's
   * `advertised.listeners`). Default: the host and port listened on (`localhost` for a wildcard host).
   */
  advertisedListener?: string;
  /** Kafka's `auto.create.topics.enable`: Metadata for a missing topic creates it. Default true. */
  autoCreateTopics?: boolean;
  /** Kafka's `num.partitions`: partitions of an auto-created topic. Default 1. */
  numPartitions?: number;
  /**
   * The configs of topics that do not set them, as a Kafka broker's `log.*` settings give them
   * (`{ 'retention.ms': 86_400_000 }`; `topicDefaultsOf` turns Kafka's broker names into these):
   * the log's `topicDefaults`, for a log this broker opens. Refused with a `log` (open it with them).
   */
  topicDefaults?: TopicConfigInput;
  /**
   * Kafka's `group.initial.rebalance.delay.ms`: the first generation of an empty group waits this
   * long for more members (again for each that arrives, up to the rebalance timeout), so consumers
   * starting together are assigned once. Default 3000, as Kafka's; tests pass 0.
   */
  groupInitialRebalanceDelayMs?: number;
  /**
   * Whether a Produce with acks=-1 waits for fsync before it is answered. Default true: an
   * acknowledged write survives a crash of the machine. false answers acks=-1 once the write
   * reached the log (the operating system's page cache), as Apache Kafka does by default (it
   * leaves `log.flush.interval.messages` unset and flushes on its own schedule): a crash of the
   * broker process loses nothing acknowledged, a crash of the machine may lose the last writes.
   * acks=1 never waits for fsync either way. `trib serve --no-fsync`.
   */
  fsyncOnAcksAll?: boolean;
  /** Kafka's `node.id`. Default 1. */
  nodeId?: number;
  /** Kafka's cluster id. Default: derived from the data directory's path (random for a `log` given). */
  clusterId?: string;
  /** Kafka's `socket.request.max.bytes`: a larger request closes its connection. Default 100 MiB. */
  maxRequestBytes?: number;
  /** Time for long polls, sessions and timestamps. Default: the log's clock. */
  clock?: Clock;
  /** Default {@link logLevel.INFO}. */
  logLevel?: logLevel;
  /** A kafkajs-style log creator. Default: JSON lines on stderr. */
  logCreator?: LogCreator;
}

/** A running broker. */
export interface Broker {
  /** Where its first listener listens (the real port when 0 was asked for). */
  address(): Endpoint;
  /** Every listener: name, protocol, where it listens and what it advertises. */
  listeners(): BrokerListener[];
  /** SCRAM users and ACLs, kept in the log. */
  security(): Promise<SecurityStore>;
  /** What clients are told to connect to. */
  readonly advertised: Endpoint;
  /** The log it serves. */
  readonly log: LogBackend;
  /** How long it takes to answer, per API (for `/metrics`). */
  readonly requestMetrics: RequestMetrics;
  /**
   * Stops taking connections and requests, answers those in flight (long polls return what they
   * have), closes the connections and, when the broker opened the log, closes it cleanly.
   */
  close(): Promise<void>;
}

/** A listener of a running broker. */
export interface BrokerListener {
  name: string;
  protocol: SecurityProtocol;
  host: string;
  port: number;
  advertised: Endpoint;
}

const DEFAULT_MAX_REQUEST_BYTES = 100 * 1024 * 1024;
/** Kafka's default group.initial.rebalance.delay.ms. */
const DEFAULT_GROUP_INITIAL_REBALANCE_DELAY_MS = 3000;
/** How long close() lets requests in flight finish (a JoinGroup may wait for a rebalance). */
const DRAIN_TIMEOUT_MS = 5000;

/**
 * Starts a Kafka-protocol broker over a Tributary log. Kafka clients in any language connect to it
 * as to a one-node Kafka cluster.
 *
 * @example
 * const broker = await serve({ dataDir: './.tributary', port: 9092 });
 * // kcat -b 127.0.0.1:9092 -L ; kafkajs: new Kafka({ brokers: ['127.0.0.1:9092'] })
 * await broker.close();
 */
export async function serve(options: BrokerOptions = {}): Promise<Broker> {
  if (options === null || typeof options !== 'object') throw new TypeError('serve takes an options object');
  if (options.log !== undefined && options.topicDefaults !== undefined)
    throw new TypeError("topicDefaults are the log's: give them to openLog, not with a log to serve()");
  const numPartitions = options.numPartitions ?? 1;
  if (!Number.isSafeInteger(numPartitions) || numPartitions < 1)
    throw new TypeError(`numPartitions must be an integer ≥ 1, got ${numPartitions}`);
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const groupInitialRebalanceDelayMs = options.groupInitialRebalanceDelayMs ?? DEFAULT_GROUP_INITIAL_REBALANCE_DELAY_MS;
  if (!Number.isSafeInteger(groupInitialRebalanceDelayMs) || groupInitialRebalanceDelayMs < 0) {
    throw new TypeError(`groupInitialRebalanceDelayMs must be an integer ≥ 0, got ${groupInitialRebalanceDelayMs}`);
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9092;
  const specs: ListenerSpec[] = (
    options.listeners ?? [`PLAINTEXT://${host.includes(':') ? `[${host}]` : host}:${port}`]
  ).map((l) => (typeof l === 'string' ? parseListenerSpec(l) : { ...l }));
  checkListeners(specs);
  const advertisedByName = new Map<string, Endpoint>();
  for (const a of options.advertisedListeners ?? []) {
    const spec = parseListenerSpec(a);
    advertisedByName.set(spec.name, { host: spec.host, port: spec.port });
  }
  if (options.advertisedListener !== undefined && !advertisedByName.has(specs[0]!.name)) {
    advertisedByName.set(specs[0]!.name, parseListener(options.advertisedListener));
  }
  const maxConnectionsPerIp = options.maxConnectionsPerIp ?? Number.POSITIVE_INFINITY;
  if (
    !(maxConnectionsPerIp >= 1) ||
    (Number.isFinite(maxConnectionsPerIp) && !Number.isSafeInteger(maxConnectionsPerIp))
  ) {
    throw new TypeError(`maxConnectionsPerIp must be an integer ≥ 1, got ${maxConnectionsPerIp}`);
  }
  const authorizerConfig: AuthorizerConfig | undefined =
    options.authorizer === undefined || options.authorizer === false
      ? undefined
      : options.authorizer === true
        ? {}
        : options.authorizer;
  const anySasl = specs.some((l) => usesSasl(l.protocol));
  const ownsLog = options.log === undefined;
  // A data directory is opened through the process's shared logs, so a Tributary of this process on
  // the same directory uses the broker's open log (and groups) instead of meeting DATA_DIR_LOCKED.
  const dataDir = options.dataDir ?? './.tributary';
  const shared: SharedLog | undefined = !ownsLog
    ? undefined
    : options.storage === 'memory'
      ? privateLog(await openLog({ storage: 'memory', clock: options.clock, topicDefaults: options.topicDefaults }))
      : await acquireSharedLog(dataDir, () =>
          openLog({ dataDir, clock: options.clock, topicDefaults: options.topicDefaults }),
        );
  const log = options.log ?? shared!.log;
  const letGo = async () => {
    if (shared !== undefined) await releaseSharedLog(shared);
  };
  const clock = options.clock ?? log.clock ?? systemClock;
  const logger: Logger = createLogger({
    level: options.logLevel ?? logLevel.INFO,
    logCreator: options.logCreator,
    now: () => clock.now(),
  }).namespace('Broker');
  let coordinator: GroupCoordinator;
  try {
    coordinator = await acquireCoordinator(log, clock, logger);
  } catch (err) {
    await letGo().catch(() => undefined);
    throw err;
  }
  // Users and ACLs: opened at start when something needs them, else on the first SCRAM or ACL request.
  let storeOpening: Promise<SecurityStore> | undefined;
  const securityStore = () => {
    storeOpening ??= SecurityStore.open(log, authorizerConfig ?? {});
    return storeOpening;
  };
  let store: SecurityStore | undefined;
  let sasl: SaslConfig | undefined;
  try {
    if (authorizerConfig !== undefined || anySasl) store = await securityStore();
    if (anySasl) sasl = saslConfig(options.sasl ?? {}, store!, clock);
  } catch (err) {
    releaseCoordinator(log);
    await letGo().catch(() => undefined);
    throw err;
  }
  const closing = new AbortController();
  // One object per listener: filled in with the real port once it listens.
  const advertisedEndpoints = new Map<string, Endpoint>(
    specs.map((spec) => [spec.name, advertisedByName.get(spec.name) ?? { host: spec.host, port: spec.port }]),
  );
  const advertisedOf = (spec: ListenerSpec): Endpoint => advertisedEndpoints.get(spec.name)!;
  const endpoint: Endpoint = advertisedOf(specs[0]!);
  const context: BrokerContext = {
    log,
    coordinator,
    clock,
    logger,
    nodeId: options.nodeId ?? 1,
    clusterId: options.clusterId ?? clusterIdOf(ownsLog && options.storage !== 'memory' ? resolve(dataDir) : undefined),
    endpoint,
    autoCreateTopics: options.autoCreateTopics ?? true,
    numPartitions,
    groupInitialRebalanceDelayMs,
    fsyncOnAcksAll: options.fsyncOnAcksAll ?? true,
    closing: closing.signal,
    pendingMembers: new Map(),
    transactions: new TxnRegistry(),
    advertised: advertisedApis(),
    security: {
      authorizer: authorizerConfig === undefined ? undefined : store!.authorizer,
      store: securityStore,
      configs: securityConfigs(),
    },
    requestMetrics: new RequestMetrics(),
    readAhead: new ReadAhead(),
  };
  function securityConfigs(): { name: string; value: string | null; sensitive: boolean }[] {
    const listenerList = (endpointOf: (spec: ListenerSpec) => Endpoint) =>
      specs.map((spec) => `${spec.name}://${endpointOf(spec).host}:${endpointOf(spec).port}`).join(',');
    const configs: { name: string; value: string | null; sensitive: boolean }[] = [
      // Getters: the ports are known once listening.
      {
        name: 'listeners',
        get value() {
          return listenerList((spec) => ({
            host: spec.host,
            port: running.find((r) => r.name === spec.name)?.port ?? spec.port,
          }));
        },
        sensitive: false,
      },
      {
        name: 'advertised.listeners',
        get value() {
          return listenerList(advertisedOf);
        },
        sensitive: false,
      },
      { name: 'sasl.enabled.mechanisms', value: (sasl?.mechanisms ?? []).join(','), sensitive: false },
      { name: 'ssl.client.auth', value: options.ssl?.clientAuth ?? 'none', sensitive: false },
      { name: 'authorizer.class.name', value: authorizerConfig === undefined ? '' : 'AclAuthorizer', sensitive: false },
      { name: 'super.users', value: [...(store?.authorizer.superUsers ?? [])].join(';'), sensitive: false },
      {
        name: 'allow.everyone.if.no.acl.found',
        value: String(authorizerConfig?.allowEveryoneIfNoAclFound ?? false),
        sensitive: false,
      },
      {
        name: 'max.connections.per.ip',
        value: String(Number.isFinite(maxConnectionsPerIp) ? maxConnectionsPerIp : 2147483647),
        sensitive: false,
      },
      {
        name: 'connection.failed.authentication.delay.ms',
        value: String(sasl?.failedAuthenticationDelayMs ?? 100),
        sensitive: false,
      },
    ];
    if (options.ssl?.passphrase !== undefined) configs.push({ name: 'ssl.key.password', value: null, sensitive: true });
    return configs;
  }
  const connections = new Set<Connection>();
  const perIp = new Map<string, number>();
  const servers: Server[] = [];
  const running: BrokerListener[] = [];
  const fail = async (err: unknown): Promise<never> => {
    for (const server of servers) server.close();
    releaseCoordinator(log);
    await letGo().catch(() => undefined);
    throw err;
  };
  for (const spec of specs) {
    const advertised = advertisedOf(spec);
    let server: Server;
    try {
      server = createListenerServer(
        spec,
        options.ssl,
        (socket: Socket, certificatePrincipal: string | undefined) => {
          if (socket.destroyed) return;
          const session: Session = {
            listener: spec.name,
            endpoint: advertised,
            principal: certificatePrincipal ?? ANONYMOUS,
            authenticator: usesSasl(spec.protocol) ? new Authenticator(sasl!) : undefined,
            failedAuthenticationDelayMs: sasl?.failedAuthenticationDelayMs,
          };
          const connection = new Connection(socket, context, maxRequestBytes, session);
          connections.add(connection);
          socket.on('close', () => connections.delete(connection));
        },
        (error: Error, socket: Socket | undefined) => {
          // A failed TLS handshake (plaintext client, unknown CA): one line, no stack.
          logger.info('TLS handshake failed', {
            listener: spec.name,
            client: socket?.remoteAddress,
            error: error.message,
          });
          socket?.destroy();
        },
      );
    } catch (err) {
      return fail(err);
    }
    // Counted per address before any TLS or SASL work, as Kafka's max.connections.per.ip is.
    server.on('connection', (socket: Socket) => {
      const ip = socket.remoteAddress ?? 'unknown';
      const count = perIp.get(ip) ?? 0;
      if (count >= maxConnectionsPerIp) {
        logger.info('Closing a connection: too many from this address', {
          client: ip,
          listener: spec.name,
          limit: maxConnectionsPerIp,
        });
        socket.destroy();
        return;
      }
      perIp.set(ip, count + 1);
      socket.once('close', () => {
        const left = (perIp.get(ip) ?? 1) - 1;
        if (left === 0) perIp.delete(ip);
        else perIp.set(ip, left);
      });
    });
    servers.push(server);
    let bound: Endpoint;
    try {
      bound = await listen(server, spec);
    } catch (err) {
      return fail(err);
    }
    if (!advertisedByName.has(spec.name)) {
      advertised.host = spec.host === '0.0.0.0' || spec.host === '::' ? 'localhost' : spec.host;
      advertised.port = bound.port;
    }
    running.push({ name: spec.name, protocol: spec.protocol, host: bound.host, port: bound.port, advertised });
  }
  const actual: Endpoint = { host: running[0]!.host, port: running[0]!.port };
  // Beside the lock file: a second process opening the directory is told where to connect instead.
  const recordsBroker = ownsLog && options.storage !== 'memory';
  if (recordsBroker) {
    try {
      recordBroker(dataDir, `${endpoint.host}:${endpoint.port}`);
    } catch (err) {
      logger.warn('Could not record the broker address beside the lock file', {
        dataDir,
        error: (err as Error).message,
      });
    }
  }
  let closed: Promise<void> | undefined;
  return {
    address: () => ({ ...actual }),
    requestMetrics: context.requestMetrics,
    listeners: () => running.map((l) => ({ ...l, advertised: { ...l.advertised } })),
    security: securityStore,
    advertised: endpoint,
    log,
    close() {
      closed ??= (async () => {
        const stopped = Promise.all(servers.map((server) => new Promise<void>((done) => server.close(() => done()))));
        closing.abort();
        for (const c of connections) c.stopReading();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((done) => {
          timer = setTimeout(done, DRAIN_TIMEOUT_MS);
          timer.unref();
        });
        await Promise.race([Promise.all([...connections].map((c) => c.drained())), timeout]);
        clearTimeout(timer);
        for (const c of connections) c.end();
        for (const c of connections) c.destroy();
        await stopped;
        await context.readAhead?.clear();
        releaseCoordinator(log);
        if (recordsBroker) forgetBroker(dataDir);
        await letGo();
      })();
      return closed;
    },
  };
}

function parseListener(listener: string): Endpoint {
  const match = /^(?:[A-Za-z_]+:\/\/)?(\[[^\]]+\]|[^:]+):(\d+)$/.exec(listener.trim());
  const port = match === null ? Number.NaN : Number(match[2]);
  if (match === null || !(port > 0 && port < 65536)) {
    throw new TypeError(`advertisedListener must be host:port, got ${JSON.stringify(listener)}`);
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** A stable cluster id for a data directory (22 base64url characters, as Kafka's). */
function clusterIdOf(dataDir: string | undefined): string {
  const bytes =
    dataDir === undefined
      ? randomBytes(16)
      : createHash('sha256').update(`tributary:${dataDir}`).digest().subarray(0, 16);
  return bytes.toString('base64url');
}
