/**
 * The cluster as one client sees it: a pool of {@link Broker}s (one connection each, reused by every
 * request), metadata (brokers, topics, partition leaders) with refresh, and routing: a partition's
 * requests go to its leader, a group's or transactional id's to its coordinator, the rest to any
 * broker. Retriable failures are retried with kafkajs's `retry` options after a metadata refresh, so
 * a moved leader or coordinator is followed.
 *
 * @example
 * const cluster = new WireCluster({ brokers: ['127.0.0.1:9092'], clientId: 'app' });
 * await cluster.connect();
 * const leader = await cluster.leaderFor('orders', 0);
 * await cluster.disconnect();
 */
import { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import type { MetadataResponse } from '../../protocol/messages/metadata.ts';
import type { Logger } from '../logger.ts';
import { Broker } from './broker.ts';
import type { ConnectionInstrumentation, ConnectionOptions } from './connection.ts';
import { kafkaError } from './kafka-errors.ts';
import { createRetrier, type Retrier, type RetryOptions } from './retry.ts';

/** Broker addresses as kafkajs takes them: a list, or a function that returns one (maybe later). */
export type BrokersConfig = string[] | (() => string[] | Promise<string[]>);

export interface WireClusterOptions {
  brokers: BrokersConfig;
  clientId: string;
  connectionTimeout?: number;
  requestTimeout?: number;
  enforceRequestTimeout?: boolean;
  maxInFlightRequests?: number | null;
  retry?: RetryOptions;
  /** How old metadata may be before it is fetched again. kafkajs's default: 300000 ms. */
  metadataMaxAge?: number;
  /** Let Metadata create missing topics (Kafka's `auto.create.topics.enable` decides). Default false. */
  allowAutoTopicCreation?: boolean;
  instrumentation?: ConnectionInstrumentation;
  logger?: Logger;
  /** TLS and SASL of every connection (see `connection.ts` and `sasl.ts`). */
  ssl?: ConnectionOptions['ssl'];
  authenticate?: ConnectionOptions['authenticate'];
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  isInternal: boolean;
  /** In partition order. */
  partitions: PartitionInfo[];
}

/** Coordinator key types of FindCoordinator. */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;

/** Parses `host:port` (IPv6 as `[::1]:9092`). */
export function parseAddress(address: string): { host: string; port: number } {
  if (typeof address !== 'string')
    throw new TributaryError(
      'INVALID_CLIENT_CONFIG',
      `A broker address must be a string "host:port", got ${String(address)}`,
    );
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address.trim());
  const port = match === null ? Number.NaN : Number(match[3]);
  if (match === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TributaryError('INVALID_CLIENT_CONFIG', `A broker address must be "host:port", got "${address}"`, {
      broker: address,
    });
  }
  return { host: match[1] ?? match[2]!, port };
}

export class WireCluster {
  readonly #options: WireClusterOptions;
  readonly retrier: Retrier;
  /** Brokers by node id, once metadata named them. */
  readonly #nodes = new Map<number, Broker>();
  /** The bootstrap connection that answered first, until metadata names the nodes. */
  #seed: Broker | undefined;
  readonly #topics = new Map<string, TopicInfo>();
  /** Topics whose metadata the client wants kept fresh. */
  readonly #targets = new Set<string>();
  #metadataAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | undefined;
  readonly #coordinators = new Map<string, number>();
  #clusterId: string | null = null;
  #controllerId = -1;
  #connected = false;
  /**
   * Set by disconnect() until the next connect(): a request still in flight then (a fetch, a last
   * commit, a metadata refresh) must not open a new socket, which would keep the process alive.
   */
  #closed = false;

  constructor(options: WireClusterOptions) {
    this.#options = options;
    this.retrier = createRetrier(options.retry);
  }

  get clusterId(): string | null {
    return this.#clusterId;
  }

  get controllerId(): number {
    return this.#controllerId;
  }

  /** True from disconnect() until the next connect(). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Reaches one of the bootstrap brokers and reads the cluster's metadata. */
  async connect(): Promise<void> {
    if (this.#connected) return;
    this.#closed = false;
    await this.retrier(async () => {
      await this.#bootstrap();
      await this.refreshMetadata();
    });
    this.#connected = true;
  }

  async #bootstrap(): Promise<void> {
    const configured = this.#options.brokers;
    const list = typeof configured === 'function' ? await configured() : configured;
    if (!Array.isArray(list) || list.length === 0)
      throw new TributaryError('INVALID_CLIENT_CONFIG', 'brokers must name at least one "host:port"');
    const addresses = list.map(parseAddress);
    // Shuffled, as kafkajs does, so that many clients do not all start on the first broker.
    for (let i = addresses.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [addresses[i], addresses[j]] = [addresses[j]!, addresses[i]!];
    }
    let last: unknown;
    for (const { host, port } of addresses) {
      const broker = this.#newBroker(host, port, -1);
      try {
        await broker.connect();
        await this.#seed?.close();
        this.#seed = broker;
        return;
      } catch (err) {
        last = err;
        await broker.close().catch(() => undefined);
      }
    }
    throw last instanceof TributaryError
      ? last
      : new TributaryError('CONNECTION_ERROR', `No broker of ${list.join(', ')} could be reached`, {
          retriable: true,
          cause: last,
        });
  }

  #newBroker(host: string, port: number, nodeId: number): Broker {
    const o = this.#options;
    return new Broker({
      host,
      port,
      nodeId,
      clientId: o.clientId,
      connectionTimeout: o.connectionTimeout,
      requestTimeout: o.requestTimeout,
      enforceRequestTimeout: o.enforceRequestTimeout,
      maxInFlightRequests: o.maxInFlightRequests,
      instrumentation: o.instrumentation,
      ssl: o.ssl,
      authenticate: o.authenticate,
    });
  }

  #refuseIfClosed(): void {
    if (this.#closed) {
      throw new TributaryError(
        'CONNECTION_ERROR',
        'The client has disconnected from the cluster; call connect() again',
        { retriable: false },
      );
    }
  }

  /** Any broker: a connected one if there is one. */
  async anyBroker(): Promise<Broker> {
    this.#refuseIfClosed();
    for (const broker of this.#nodes.values()) if (broker.connection.connected) return broker;
    if (this.#seed?.connection.connected) return this.#seed;
    for (const broker of this.#nodes.values()) {
      try {
        await broker.connect();
        return broker;
      } catch {
        // Try the next one.
      }
    }
    await this.#bootstrap();
    return this.#seed!;
  }

  /** The broker with this node id, from the last metadata. */
  async broker(nodeId: number): Promise<Broker> {
    this.#refuseIfClosed();
    const broker = this.#nodes.get(nodeId);
    if (broker === undefined) {
      throw new TributaryError('LEADER_NOT_AVAILABLE', `Node ${nodeId} is not in the cluster's metadata`, {
        retriable: true,
        nodeId,
      });
    }
    await broker.connect();
    return broker;
  }

  /** Fetches metadata for every topic the client follows (and `topics`), now. */
  refreshMetadata(topics: Iterable<string> = []): Promise<void> {
    for (const t of topics) this.#targets.add(t);
    // Concurrent refreshes share one request; a caller that added topics during it refreshes again.
    const wanted = [...this.#targets];
    const run = async (): Promise<void> => {
      const broker = await this.anyBroker();
      const res = await broker.request(API.Metadata, {
        topics: wanted.map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })),
        allowAutoTopicCreation: this.#options.allowAutoTopicCreation ?? false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      } as never);
      this.#apply(res as MetadataResponse);
    };
    const previous = this.#refreshing ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    this.#refreshing = next;
    return next.finally(() => {
      if (this.#refreshing === next) this.#refreshing = undefined;
    });
  }

  #apply(res: MetadataResponse): void {
    if (this.#closed) return;
    this.#clusterId = res.clusterId;
    this.#controllerId = res.controllerId;
    const seen = new Set<number>();
    for (const b of res.brokers) {
      seen.add(b.nodeId);
      const known = this.#nodes.get(b.nodeId);
      if (known !== undefined && known.host === b.host && known.port === b.port) continue;
      void known?.close();
      // The seed connection is reused for the node it turned out to be.
      const seed = this.#seed;
      if (seed !== undefined && seed.host === b.host && seed.port === b.port) {
        seed.nodeId = b.nodeId;
        this.#nodes.set(b.nodeId, seed);
        this.#seed = undefined;
      } else {
        this.#nodes.set(b.nodeId, this.#newBroker(b.host, b.port, b.nodeId));
      }
    }
    for (const [nodeId, broker] of this.#nodes) {
      if (!seen.has(nodeId)) {
        this.#nodes.delete(nodeId);
        void broker.close();
      }
    }
    for (const t of res.topics) {
      if (t.name === null) continue;
      if (t.errorCode !== 0) {
        this.#topics.delete(t.name);
        continue;
      }
      const partitions = t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition);
      this.#topics.set(t.name, { name: t.name, isInternal: t.isInternal, partitions });
    }
    this.#metadataAt = Date.now();
    this.#lastMetadata = res;
  }

  #lastMetadata: MetadataResponse | undefined;

  /** The brokers of the last metadata: `{ nodeId, host, port }`. */
  brokers(): { nodeId: number; host: string; port: number }[] {
    return (this.#lastMetadata?.brokers ?? []).map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port }));
  }

  /** A topic's metadata, fetched when unknown or older than `metadataMaxAge`. Throws UNKNOWN_TOPIC_OR_PARTITION. */
  async topic(name: string): Promise<TopicInfo> {
    const cached = this.cachedTopic(name);
    if (cached !== undefined) return cached;
    await this.refreshMetadata([name]);
    const info = this.#topics.get(name);
    if (info === undefined) {
      this.#targets.delete(name);
      // The metadata answer is authoritative here; a Produce that gets UNKNOWN_TOPIC_OR_PARTITION
      // from a leader that has not caught up yet is the retriable case.
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic "${name}" does not exist`, { topic: name });
    }
    return info;
  }

  /** A topic's metadata if known and fresh enough; no request. */
  cachedTopic(name: string): TopicInfo | undefined {
    if (Date.now() - this.#metadataAt > (this.#options.metadataMaxAge ?? 300_000)) return undefined;
    return this.#topics.get(name);
  }

  /** A topic's metadata as last fetched, however old; no request. */
  knownTopic(name: string): TopicInfo | undefined {
    return this.#topics.get(name);
  }

  /** Forgets a topic (after it was deleted). */
  forgetTopic(name: string): void {
    this.#topics.delete(name);
    this.#targets.delete(name);
  }

  /** The leader of a partition, connected. LEADER_NOT_AVAILABLE (retriable) while there is none. */
  async leaderFor(topic: string, partition: number): Promise<Broker> {
    const info = await this.topic(topic);
    const p = info.partitions[partition];
    if (p === undefined || p.partition !== partition) {
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic "${topic}" has no partition ${partition}`, {
        topic,
        partition,
      });
    }
    if (p.leader < 0)
      throw new TributaryError('LEADER_NOT_AVAILABLE', `${topic}-${partition} has no leader`, {
        topic,
        partition,
        retriable: true,
      });
    return this.broker(p.leader);
  }

  /** The coordinator of a group (type 0) or transactional id (type 1), found with FindCoordinator and cached. */
  async coordinator(key: string, keyType: number): Promise<Broker> {
    const id = `${keyType}\u0000${key}`;
    const known = this.#coordinators.get(id);
    if (known !== undefined && this.#nodes.has(known)) return this.broker(known);
    const broker = await this.anyBroker();
    const version = broker.versionOf(API.FindCoordinator as never);
    const res = await broker.request(API.FindCoordinator, { key, keyType, coordinatorKeys: [key] } as never, {
      version,
    });
    const r = res as {
      errorCode: number;
      errorMessage: string | null;
      nodeId: number;
      coordinators: { key: string; nodeId: number; errorCode: number; errorMessage: string | null }[];
    };
    const found =
      version >= 4
        ? r.coordinators.find((c) => c.key === key)
        : { nodeId: r.nodeId, errorCode: r.errorCode, errorMessage: r.errorMessage };
    if (found === undefined)
      throw new TributaryError('COORDINATOR_NOT_AVAILABLE', `No coordinator for "${key}"`, { retriable: true });
    if (found.errorCode !== 0) throw kafkaError(found.errorCode, { key }, found.errorMessage);
    if (!this.#nodes.has(found.nodeId)) await this.refreshMetadata();
    this.#coordinators.set(id, found.nodeId);
    return this.broker(found.nodeId);
  }

  /** Forgets a coordinator after NOT_COORDINATOR or COORDINATOR_NOT_AVAILABLE. */
  forgetCoordinator(key: string, keyType: number): void {
    this.#coordinators.delete(`${keyType}\u0000${key}`);
  }

  /**
   * Runs `fn` with retries: before each retry, metadata is refreshed when the error says that
   * leaders or topics moved, so the next try routes anew.
   */
  withRetry<T>(fn: (attempt: number) => Promise<T>): Promise<T> {
    return this.retrier(async (attempt) => {
      try {
        return await fn(attempt);
      } catch (err) {
        if (
          err instanceof TributaryError &&
          err.retriable &&
          (err.code === 'NOT_COORDINATOR' || err.code === 'COORDINATOR_NOT_AVAILABLE')
        ) {
          this.#coordinators.clear();
        }
        if (err instanceof TributaryError && err.retriable && STALE_METADATA.has(err.code)) {
          this.#metadataAt = Number.NEGATIVE_INFINITY;
          this.#options.logger?.debug('Refreshing metadata after a retriable error', { error: err.message });
          await this.refreshMetadata().catch(() => undefined);
        }
        throw err;
      }
    });
  }

  async disconnect(): Promise<void> {
    this.#connected = false;
    this.#closed = true;
    const all = [...this.#nodes.values()];
    if (this.#seed !== undefined) all.push(this.#seed);
    this.#nodes.clear();
    this.#seed = undefined;
    this.#topics.clear();
    this.#coordinators.clear();
    await Promise.all(all.map((b) => b.close().catch(() => undefined)));
  }
}

/** Errors after which the client's view of leaders is stale. */
const STALE_METADATA = new Set<string>([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'CONNECTION_ERROR',
  'REQUEST_TIMED_OUT',
  'KAFKA_PROTOCOL_ERROR',
]);
