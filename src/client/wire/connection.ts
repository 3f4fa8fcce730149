/**
 * One TCP connection to one Kafka broker: size-prefixed frames, correlation ids, pipelining up to
 * `maxInFlightRequests`, a `requestTimeout` per request and a `connectionTimeout` for the connect.
 * It knows nothing of API bodies: a {@link WireRequest} brings its own encoder and decoder, so the
 * connection is the same for every API and for tests that frame bytes by hand.
 *
 * Why requests are matched by correlation id although Kafka answers in order: a response whose
 * request already timed out is dropped by id, and a broker that answered out of order would be
 * caught instead of handing one request's body to another's decoder.
 *
 * @example
 * const connection = new Connection({ host: '127.0.0.1', port: 9092, clientId: 'app' });
 * await connection.connect();
 * const body = await connection.send(request);
 * await connection.close();
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsOptions } from 'node:tls';
import { TributaryError } from '../../errors.ts';

/** A request as the connection sees it: names for events and errors, and its own codec. */
export interface WireRequest<Res> {
  readonly apiKey: number;
  readonly apiName: string;
  readonly apiVersion: number;
  /** False when the broker sends nothing back (Produce with acks 0): resolved once written. */
  readonly expectResponse: boolean;
  /** The whole frame, size prefix included, for this correlation id. */
  encode(correlationId: number): Buffer;
  /** The response from its frame without the size prefix (the header is the decoder's job). */
  decode(frame: Buffer): Res;
  /**
   * This request's own timeout instead of the connection's `requestTimeout`: requests the broker
   * holds on purpose (JoinGroup until the rebalance completes, Fetch for `maxWaitMs`) need longer.
   */
  readonly timeout?: number;
}

/** kafkajs's `network.request` payload. */
export interface RequestEventPayload {
  broker: string;
  clientId: string;
  correlationId: number;
  size: number;
  createdAt: number;
  sentAt: number;
  pendingDuration: number;
  duration: number;
  apiName: string;
  apiKey: number;
  apiVersion: number;
}

/** kafkajs's `network.request_timeout` payload. */
export interface RequestTimeoutEventPayload {
  broker: string;
  clientId: string;
  correlationId: number;
  createdAt: number;
  sentAt: number;
  pendingDuration: number;
  apiName: string;
  apiKey: number;
  apiVersion: number;
}

/** kafkajs's `network.request_queue_size` payload. */
export interface RequestQueueSizeEventPayload {
  broker: string;
  clientId: string;
  queueSize: number;
}

/** Where a connection reports its requests; each client maps these to its own event names. */
export interface ConnectionInstrumentation {
  request?(payload: RequestEventPayload): void;
  requestTimeout?(payload: RequestTimeoutEventPayload): void;
  requestQueueSize?(payload: RequestQueueSizeEventPayload): void;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  /** How long a connect may take. kafkajs's default: 1000 ms. */
  connectionTimeout?: number;
  /** How long a sent request may wait for its answer. kafkajs's default: 30000 ms. */
  requestTimeout?: number;
  /** False: requests never time out on the client side. Default true. */
  enforceRequestTimeout?: boolean;
  /** Requests on the wire at once; more wait in a queue. Default: no limit. */
  maxInFlightRequests?: number | null;
  instrumentation?: ConnectionInstrumentation;
  /** TLS, as kafkajs's `ssl`: `true`, or node's `tls.connect` options (`ca`, `cert`, `key`, …). */
  ssl?: boolean | TlsOptions;
  /**
   * Runs once the socket is up and before any other request (SASL): requests sent meanwhile wait.
   * A failure closes the socket and fails the connect with its error.
   */
  authenticate?: (send: <Res>(request: WireRequest<Res>) => Promise<Res>, broker: string) => Promise<void>;
}

interface InFlight {
  correlationId: number;
  request: WireRequest<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  createdAt: number;
  sentAt: number;
  size: number;
  deadline: number;
}

interface Queued {
  request: WireRequest<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  createdAt: number;
}

const MAX_CORRELATION_ID = 0x7fffffff;

export class Connection {
  readonly host: string;
  readonly port: number;
  /** `host:port`, as kafkajs names brokers in events and logs. */
  readonly broker: string;
  readonly #clientId: string;
  readonly #connectionTimeout: number;
  readonly #requestTimeout: number;
  readonly #enforceTimeout: boolean;
  readonly #maxInFlight: number;
  readonly #instrumentation: ConnectionInstrumentation;
  #socket: Socket | undefined;
  #connecting: Promise<void> | undefined;
  /** The socket of the connect under way, and how to fail it (close() does, if it comes first). */
  #opening: { socket: Socket; fail: (err: TributaryError) => void } | undefined;
  #correlationId = 0;
  readonly #inFlight = new Map<number, InFlight>();
  readonly #queue: Queued[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** Bytes received that do not yet make a whole frame. */
  #chunks: Buffer[] = [];
  #buffered = 0;
  #closed = false;
  /** The socket is up and authenticated: requests go out. */
  #ready = false;
  readonly #ssl: boolean | TlsOptions | undefined;
  readonly #authenticate: ConnectionOptions['authenticate'];

  constructor(options: ConnectionOptions) {
    this.#ssl = options.ssl;
    this.#authenticate = options.authenticate;
    this.host = options.host;
    this.port = options.port;
    this.broker = `${options.host}:${options.port}`;
    this.#clientId = options.clientId;
    this.#connectionTimeout = options.connectionTimeout ?? 1000;
    this.#requestTimeout = options.requestTimeout ?? 30_000;
    this.#enforceTimeout = options.enforceRequestTimeout ?? true;
    this.#maxInFlight = options.maxInFlightRequests ?? Number.POSITIVE_INFINITY;
    this.#instrumentation = options.instrumentation ?? {};
  }

  /** True while the socket is open (and authenticated). */
  get connected(): boolean {
    return this.#socket !== undefined && this.#ready;
  }

  /** Opens the socket (once; concurrent callers share the attempt), then authenticates. */
  connect(): Promise<void> {
    if (this.#socket !== undefined && this.#ready) return Promise.resolve();
    this.#closed = false;
    this.#connecting ??= this.#open().then(
      async () => {
        try {
          if (this.#authenticate !== undefined) {
            await this.#authenticate(
              (request) =>
                new Promise((resolve, reject) =>
                  this.#submit({
                    request: request as WireRequest<unknown>,
                    resolve: resolve as (v: unknown) => void,
                    reject,
                    createdAt: Date.now(),
                  }),
                ),
              this.broker,
            );
          }
          this.#ready = true;
        } catch (err) {
          this.#lost(`Authentication with ${this.broker} failed`);
          throw err;
        } finally {
          this.#connecting = undefined;
        }
      },
      (err) => {
        this.#connecting = undefined;
        throw err;
      },
    );
    return this.#connecting;
  }

  #open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ssl = this.#ssl;
      const tls = ssl !== undefined && ssl !== false;
      const socket: Socket = tls
        ? tlsConnect({
            host: this.host,
            port: this.port,
            // SNI takes a host name, never an IP address.
            servername: /^[\d.]+$|:/.test(this.host) ? undefined : this.host,
            ...(typeof ssl === 'object' ? ssl : {}),
          })
        : netConnect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        fail(
          new TributaryError(
            'CONNECTION_ERROR',
            `Connection to ${this.broker} timed out after ${this.#connectionTimeout} ms`,
            { retriable: true, broker: this.broker },
          ),
        );
      }, this.#connectionTimeout);
      const fail = (err: TributaryError) => {
        clearTimeout(timer);
        this.#opening = undefined;
        reject(err);
      };
      this.#opening = { socket, fail };
      socket.once('error', (cause) => {
        fail(
          new TributaryError('CONNECTION_ERROR', `Cannot connect to ${this.broker}: ${cause.message}`, {
            retriable: true,
            broker: this.broker,
            cause,
          }),
        );
      });
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        this.#opening = undefined;
        this.#attach(socket);
        resolve();
      });
    });
  }

  #attach(socket: Socket): void {
    this.#socket = socket;
    this.#chunks = [];
    this.#buffered = 0;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (cause) => this.#lost(`Connection to ${this.broker} failed: ${cause.message}`, cause));
    socket.on('close', () => this.#lost(`Connection to ${this.broker} closed`));
  }

  /**
   * Sends a request and resolves with its decoded response. Connects first when needed. Rejects
   * with `CONNECTION_ERROR` (retriable) when the connection is lost before the answer, with
   * `REQUEST_TIMED_OUT` (retriable) after `requestTimeout`, and with whatever the decoder throws.
   */
  send<Res>(request: WireRequest<Res>): Promise<Res> {
    const createdAt = Date.now();
    return new Promise<Res>((resolve, reject) => {
      const entry: Queued = {
        request: request as WireRequest<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
        createdAt,
      };
      if (this.#socket === undefined || !this.#ready) {
        this.connect().then(() => this.#submit(entry), reject);
        return;
      }
      this.#submit(entry);
    });
  }

  #submit(entry: Queued): void {
    if (this.#inFlight.size < this.#maxInFlight && this.#queue.length === 0) {
      this.#write(entry);
      return;
    }
    this.#queue.push(entry);
    this.#emitQueueSize();
  }

  #write(entry: Queued): void {
    const socket = this.#socket;
    if (socket === undefined) {
      entry.reject(
        new TributaryError('CONNECTION_ERROR', `Not connected to ${this.broker}`, {
          retriable: true,
          broker: this.broker,
        }),
      );
      return;
    }
    const correlationId = this.#nextCorrelationId();
    let frame: Buffer;
    try {
      frame = entry.request.encode(correlationId);
    } catch (err) {
      entry.reject(err);
      return;
    }
    const sentAt = Date.now();
    if (!entry.request.expectResponse) {
      socket.write(frame, (err) => {
        if (err)
          entry.reject(
            new TributaryError('CONNECTION_ERROR', `Write to ${this.broker} failed: ${err.message}`, {
              retriable: true,
              broker: this.broker,
              cause: err,
            }),
          );
        else entry.resolve(undefined);
      });
      return;
    }
    const inFlight: InFlight = {
      correlationId,
      request: entry.request,
      resolve: entry.resolve,
      reject: entry.reject,
      createdAt: entry.createdAt,
      sentAt,
      size: frame.length,
      deadline: sentAt + (entry.request.timeout ?? this.#requestTimeout),
    };
    this.#inFlight.set(correlationId, inFlight);
    socket.write(frame);
    if (this.#enforceTimeout && (this.#timer === undefined || inFlight.deadline < this.#timerAt))
      this.#armTimer(inFlight.deadline);
  }

  #nextCorrelationId(): number {
    this.#correlationId = this.#correlationId >= MAX_CORRELATION_ID ? 1 : this.#correlationId + 1;
    return this.#correlationId;
  }

  /**
   * One timer for the whole connection, set for the earliest deadline of the requests in flight,
   * rather than one timer per request: a producer sending thousands of requests a second would
   * otherwise create and clear as many timers.
   */
  #armTimer(deadline: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = deadline;
    this.#timer = setTimeout(() => this.#checkTimeouts(), Math.max(0, deadline - Date.now()));
  }

  #timerAt = 0;

  #checkTimeouts(): void {
    this.#timer = undefined;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.#inFlight.values()) {
      if (entry.deadline > now) {
        if (entry.deadline < next) next = entry.deadline;
        continue;
      }
      this.#inFlight.delete(entry.correlationId);
      const { apiName, apiKey, apiVersion } = entry.request;
      const pendingDuration = entry.sentAt - entry.createdAt;
      entry.reject(
        new TributaryError(
          'REQUEST_TIMED_OUT',
          `Request ${apiName}(key: ${apiKey}, version: ${apiVersion}) to ${this.broker} timed out after ${this.#requestTimeout} ms`,
          {
            retriable: true,
            broker: this.broker,
            correlationId: entry.correlationId,
          },
        ),
      );
      this.#instrumentation.requestTimeout?.({
        broker: this.broker,
        clientId: this.#clientId,
        correlationId: entry.correlationId,
        createdAt: entry.createdAt,
        sentAt: entry.sentAt,
        pendingDuration,
        apiName,
        apiKey,
        apiVersion,
      });
    }
    if (next !== Number.POSITIVE_INFINITY) this.#armTimer(next);
    this.#drainQueue();
  }

  #onData(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    // Concatenate only once a whole frame is there, so a large response arriving in many chunks
    // is copied once, not once per chunk.
    while (this.#buffered >= 4) {
      const head = this.#chunks[0]!.length >= 4 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
      const size = head.readInt32BE(0);
      if (this.#buffered < 4 + size) {
        if (head !== this.#chunks[0]) this.#chunks = [head];
        return;
      }
      const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.#chunks = rest.length > 0 ? [rest] : [];
      this.#buffered = rest.length;
      this.#onFrame(frame);
    }
  }

  #onFrame(frame: Buffer): void {
    if (frame.length < 4) {
      this.#lost(`${this.broker} sent a frame of ${frame.length} bytes`);
      return;
    }
    const correlationId = frame.readInt32BE(0);
    const entry = this.#inFlight.get(correlationId);
    // A late answer to a request that timed out: nobody waits for it any more.
    if (entry === undefined) return;
    this.#inFlight.delete(correlationId);
    let body: unknown;
    try {
      body = entry.request.decode(frame);
    } catch (err) {
      entry.reject(err);
      this.#drainQueue();
      return;
    }
    entry.resolve(body);
    if (this.#instrumentation.request !== undefined) {
      const now = Date.now();
      this.#instrumentation.request({
        broker: this.broker,
        clientId: this.#clientId,
        correlationId,
        size: frame.length + 4,
        createdAt: entry.createdAt,
        sentAt: entry.sentAt,
        pendingDuration: entry.sentAt - entry.createdAt,
        duration: now - entry.sentAt,
        apiName: entry.request.apiName,
        apiKey: entry.request.apiKey,
        apiVersion: entry.request.apiVersion,
      });
    }
    this.#drainQueue();
  }

  #drainQueue(): void {
    if (this.#queue.length === 0) return;
    let moved = false;
    while (this.#queue.length > 0 && this.#inFlight.size < this.#maxInFlight && this.#socket !== undefined) {
      this.#write(this.#queue.shift()!);
      moved = true;
    }
    if (moved) this.#emitQueueSize();
  }

  #emitQueueSize(): void {
    this.#instrumentation.requestQueueSize?.({
      broker: this.broker,
      clientId: this.#clientId,
      queueSize: this.#queue.length,
    });
  }

  /** The socket is gone: everything waiting fails with a retriable CONNECTION_ERROR. */
  #lost(message: string, cause?: unknown): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    this.#ready = false;
    socket.removeAllListeners('data');
    socket.destroy();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const err = new TributaryError(
      'CONNECTION_ERROR',
      this.#closed ? `Connection to ${this.broker} was closed by the client` : message,
      {
        retriable: !this.#closed,
        broker: this.broker,
        cause,
      },
    );
    const waiting = [...this.#inFlight.values(), ...this.#queue];
    this.#inFlight.clear();
    this.#queue.length = 0;
    for (const entry of waiting) entry.reject(err);
  }

  /** Closes the socket; requests still waiting fail with a non-retriable CONNECTION_ERROR. */
  async close(): Promise<void> {
    this.#closed = true;
    const opening = this.#opening;
    if (opening !== undefined) {
      // Closed while still connecting: the socket would open afterwards and keep the process alive.
      opening.socket.destroy();
      opening.fail(
        new TributaryError('CONNECTION_ERROR', `Connection to ${this.broker} was closed by the client`, {
          retriable: false,
          broker: this.broker,
        }),
      );
    }
    const socket = this.#socket;
    if (socket === undefined) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.#lost(`Connection to ${this.broker} was closed by the client`);
    await closed;
  }
}
