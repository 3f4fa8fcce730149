/**
 * One broker as the client uses it: a {@link Connection} plus the API versions negotiated with
 * ApiVersions on connect. Each request goes out at `min(our max, the broker's max)` of its API, as
 * kafkajs and Kafka's Java client pick; an API where the two ranges do not meet is refused with
 * `UNSUPPORTED_VERSION` before anything is sent.
 *
 * ApiVersions itself is sent at our highest version; a broker that does not know it answers with
 * error 35 and a v0-shaped body listing its own ApiVersions range (KIP-511), and we ask again at
 * the highest version of that range.
 *
 * @example
 * const broker = new Broker({ host: '127.0.0.1', port: 9092, clientId: 'app' });
 * await broker.connect();
 * const res = await broker.request(API.Metadata, { topics: null, allowAutoTopicCreation: false, … });
 */
import { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import type { ApiMessage } from '../../protocol/wire/api.ts';
import { decodeResponse, encodeRequest } from '../../protocol/wire/header.ts';
import { Connection, type ConnectionOptions, type WireRequest } from './connection.ts';
import { kafkaError } from './kafka-errors.ts';

/** A version range the broker advertises for one API. */
export interface VersionRange {
  minVersion: number;
  maxVersion: number;
}

/** kafkajs and Kafka's Java client name themselves to the broker; so do we (KIP-511). */
const SOFTWARE_NAME = 'tributary';
const SOFTWARE_VERSION = '0.1.0';

export interface RequestOptions {
  /** False for Produce with acks 0: the broker sends nothing back. Default true. */
  expectResponse?: boolean;
  /** Send at this version instead of the negotiated one (it must be in both ranges). */
  version?: number;
  /** Never above this version (for APIs whose newer versions need what the caller lacks, such as topic ids). */
  maxVersion?: number;
  /** This request's timeout instead of `requestTimeout` (for requests the broker holds on purpose). */
  timeout?: number;
  /**
   * Fetch only: the connection to use, by name. A broker answers a connection's requests in order,
   * so Fetches it may hold (`maxWaitMs`) go on a connection of their own, apart from those that want
   * an answer now. Default `'fetch'`.
   */
  lane?: string;
}

export class Broker {
  /** The broker's node id, or -1 for a bootstrap address not yet matched to a node. */
  nodeId: number;
  readonly connection: Connection;
  /** Set by close(): the cluster has let this broker go and never reuses it. */
  #closed = false;
  /**
   * Fetches go on a connection of their own, as kafkajs does: a broker answers a connection's
   * requests one at a time, so a Fetch held for `maxWaitMs` would hold heartbeats and commits too.
   */
  readonly #fetchConnections = new Map<string, Connection>();
  readonly #options: ConnectionOptions;
  #versions: Map<number, VersionRange> | undefined;
  #negotiating: Promise<void> | undefined;
  readonly #clientId: string;

  constructor(options: ConnectionOptions & { nodeId?: number }) {
    this.nodeId = options.nodeId ?? -1;
    this.#clientId = options.clientId;
    this.#options = options;
    this.connection = new Connection(options);
  }

  get host(): string {
    return this.connection.host;
  }

  get port(): number {
    return this.connection.port;
  }

  /** Connects and negotiates versions (again after a lost connection: the broker may have changed). */
  connect(): Promise<void> {
    if (this.connection.connected && this.#versions !== undefined) return Promise.resolve();
    this.#negotiating ??= (async () => {
      try {
        await this.connection.connect();
        this.#versions = await this.#apiVersions();
      } finally {
        this.#negotiating = undefined;
      }
    })();
    return this.#negotiating;
  }

  /** The broker's range for an API key, once connected. */
  versionRange(apiKey: number): VersionRange | undefined {
    return this.#versions?.get(apiKey);
  }

  /** The version a request of `api` goes out at: the highest both sides implement. */
  versionOf(api: ApiMessage<never, never> | ApiMessage<unknown, unknown>): number {
    const range = this.#versions?.get(api.apiKey);
    if (range === undefined) {
      throw new TributaryError('UNSUPPORTED_VERSION', `Broker ${this.connection.broker} does not support ${api.name}`, {
        broker: this.connection.broker,
        api: api.name,
      });
    }
    const version = Math.min(api.maxVersion, range.maxVersion);
    if (version < Math.max(api.minVersion, range.minVersion)) {
      throw new TributaryError(
        'UNSUPPORTED_VERSION',
        `Broker ${this.connection.broker} supports ${api.name} ${range.minVersion}-${range.maxVersion}; this client ${api.minVersion}-${api.maxVersion}`,
        { broker: this.connection.broker, api: api.name },
      );
    }
    return version;
  }

  /** Sends one request at the negotiated version and resolves with the decoded response body. */
  async request<Req, Res>(api: ApiMessage<Req, Res>, body: Req, options: RequestOptions = {}): Promise<Res> {
    if (this.#closed) {
      // A request still in flight when its client disconnected (a fetch loop's next turn) must not
      // reopen sockets: the cluster never reuses a closed broker, and an open socket keeps the process alive.
      throw new TributaryError('CONNECTION_ERROR', `Broker ${this.connection.broker} was closed by its client`, {
        retriable: false,
        broker: this.connection.broker,
      });
    }
    if (!this.connection.connected || this.#versions === undefined) await this.connect();
    const negotiated = this.versionOf(api as ApiMessage<unknown, unknown>);
    const version =
      options.version ?? (options.maxVersion === undefined ? negotiated : Math.min(negotiated, options.maxVersion));
    const request = this.#wireRequest(api, version, body, options.expectResponse ?? true, options.timeout);
    if (api.apiKey === API.Fetch.apiKey) {
      const lane = options.lane ?? 'fetch';
      let connection = this.#fetchConnections.get(lane);
      if (connection === undefined) this.#fetchConnections.set(lane, (connection = new Connection(this.#options)));
      return connection.send(request);
    }
    return this.connection.send(request);
  }

  /** The request as the connection sends it, for callers that pipeline without awaiting `connect`. */
  #wireRequest<Req, Res>(
    api: ApiMessage<Req, Res>,
    version: number,
    body: Req,
    expectResponse: boolean,
    timeout: number | undefined,
  ): WireRequest<Res> {
    const clientId = this.#clientId;
    return {
      timeout,
      apiKey: api.apiKey,
      apiName: api.name,
      apiVersion: version,
      expectResponse,
      encode: (correlationId) => encodeRequest(api, version, correlationId, clientId, body),
      decode: (frame) => decodeResponse(api, version, frame).body,
    };
  }

  async #apiVersions(): Promise<Map<number, VersionRange>> {
    const ours = API.ApiVersions;
    const ask = (version: number) =>
      this.connection.send<{ errorCode: number; apiKeys: (VersionRange & { apiKey: number })[] }>({
        apiKey: ours.apiKey,
        apiName: ours.name,
        apiVersion: version,
        expectResponse: true,
        encode: (correlationId) =>
          encodeRequest(ours, version, correlationId, this.#clientId, {
            clientSoftwareName: SOFTWARE_NAME,
            clientSoftwareVersion: SOFTWARE_VERSION,
          }),
        decode: (frame) => {
          // A broker that refuses our version answers in v0's shape (KIP-511): read it as v0 then.
          const errorCode = frame.length >= 6 ? frame.readInt16BE(4) : -1;
          return decodeResponse(ours, errorCode === 35 ? 0 : version, frame).body as never;
        },
      });
    let res = await ask(ours.maxVersion);
    if (res.errorCode === 35) {
      const theirs = res.apiKeys.find((k) => k.apiKey === ours.apiKey);
      res = await ask(Math.min(ours.maxVersion, theirs?.maxVersion ?? 0));
    }
    if (res.errorCode !== 0) throw kafkaError(res.errorCode, { broker: this.connection.broker });
    const map = new Map<number, VersionRange>();
    for (const k of res.apiKeys) map.set(k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion });
    return map;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#versions = undefined;
    const fetches = [...this.#fetchConnections.values()];
    this.#fetchConnections.clear();
    await Promise.all([this.connection.close(), ...fetches.map((c) => c.close())]);
  }
}
