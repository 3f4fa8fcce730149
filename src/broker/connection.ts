/**
 * One client connection: frames in, responses out.
 *
 * ```
 * frame = size int32 (bytes after it), request header, body
 * ```
 * The size is checked before anything is buffered: one above `socket.request.max.bytes` (100 MiB
 * by default, as Kafka's) or below a header's size closes the connection, as Kafka does. Bytes are
 * kept as the chunks they came in until a frame is whole, so a large frame is copied once and a
 * client sending a byte at a time costs nothing more.
 *
 * Requests are dispatched as they arrive (pipelining: a client may send several before the first
 * answer) and answered strictly in the order they came. A Produce with acks=0 takes its place in
 * that order but sends nothing. An API key this broker does not serve, a version outside its codec,
 * or a header or body that does not decode closes the connection (Kafka cannot answer a request it
 * cannot parse either); ApiVersions in a version above ours gets Kafka's v0-shaped
 * UNSUPPORTED_VERSION answer with ApiVersions' own range (KIP-511), so that a client can fall back.
 */
import type { Socket } from 'node:net';
import { API } from '../protocol/messages/index.ts';
import { decodeRequestHeader, encodeResponseChunks, type RequestHeader } from '../protocol/wire/header.ts';
import type { BrokerContext, Endpoint, RequestInfo } from './context.ts';
import { KafkaCode } from './errors.ts';
import { CLOSE_CONNECTION, type Handler } from './handler.ts';
import { handlerFor } from './handlers/index.ts';
import type { Authenticator } from './security/authenticator.ts';
import { guarded } from './security/guards.ts';

/** The smallest request: api key, version, correlation id, client id length. */
const MIN_FRAME = 10;
/** Requests read ahead of their answers before the socket is paused. */
const MAX_IN_FLIGHT = 64;
/** Ready responses up to this many bytes together are copied into one buffer and written at once. */
const SMALL_WRITE_BYTES = 16 * 1024;
/** Kafka's `sasl.server.max.receive.size`: the largest frame before authentication. */
const MAX_UNAUTHENTICATED_BYTES = 512 * 1024;

/**
 * Who is on the other end and how they came in: the listener's advertised endpoint, the principal
 * (`User:ANONYMOUS`, a certificate subject, or the SASL user once authenticated), and on SASL
 * listeners the exchange that must complete before any other request is served.
 */
export interface Session {
  listener: string;
  endpoint: Endpoint;
  principal: string;
  authenticator?: Authenticator;
  /** Delay before a connection that failed authentication is answered and closed. */
  failedAuthenticationDelayMs?: number;
}

interface Slot {
  /**
   * The response frame as the segments it is made of (stored record batches referenced, not
   * copied: see encodeResponseChunks), null for no response (acks=0); undefined while pending.
   */
  frame: Buffer[] | null | undefined;
  /** Close the connection once the responses before this one are sent (see CLOSE_CONNECTION). */
  close?: boolean;
}

export class Connection {
  readonly #socket: Socket;
  readonly #broker: BrokerContext;
  readonly #maxRequestBytes: number;
  readonly #clientHost: string;
  #chunks: Buffer[] = [];
  /** Bytes of the first chunk already taken: chunks are read in place, not sliced as they are taken. */
  #head = 0;
  #buffered = 0;
  /** The size of the frame being read, once its prefix is in; -1 before. */
  #size = -1;
  readonly #queue: Slot[] = [];
  #closed = false;
  #idle: (() => void) | undefined;
  readonly #session: Session;

  constructor(socket: Socket, broker: BrokerContext, maxRequestBytes: number, session?: Session) {
    this.#socket = socket;
    this.#broker = broker;
    this.#maxRequestBytes = maxRequestBytes;
    this.#session = session ?? { listener: 'PLAINTEXT', endpoint: broker.endpoint, principal: 'User:ANONYMOUS' };
    this.#clientHost = `/${normaliseAddress(socket.remoteAddress ?? 'unknown')}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => this.#close());
    socket.on('close', () => this.#close());
  }

  /** In-flight requests answered (or the connection closed): for a graceful shutdown. */
  drained(): Promise<void> {
    if (this.#closed || this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle = resolve;
    });
  }

  /** Stops reading; requests already read are still answered. */
  stopReading(): void {
    this.#socket.pause();
    this.#chunks = [];
    this.#head = 0;
    this.#buffered = 0;
    this.#size = -1;
    this.#stopped = true;
  }

  #stopped = false;

  /** Ends the connection once its answers are out. */
  end(): void {
    if (!this.#closed) this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
    this.#close();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed || this.#stopped) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#size < 0) {
        if (this.#buffered < 4) return;
        const size = this.#takeInt32();
        const auth = this.#session.authenticator;
        const unauthenticated = auth !== undefined && !auth.complete;
        const limit = unauthenticated ? MAX_UNAUTHENTICATED_BYTES : this.#maxRequestBytes;
        if (size < (auth?.expectsRawTokens ? 0 : MIN_FRAME) || size > limit) {
          this.#broker.logger.warn('Closing a connection: request size out of bounds', {
            size,
            client: this.#clientHost,
            limit,
          });
          this.destroy();
          return;
        }
        this.#size = size;
      }
      if (this.#buffered < this.#size) return;
      const frame = this.#take(this.#size);
      this.#size = -1;
      this.#dispatch(frame);
      if (this.#closed) return;
      if (this.#queue.length >= MAX_IN_FLIGHT) this.#socket.pause();
    }
  }

  /** The next `n` buffered bytes as one Buffer. */
  #take(n: number): Buffer {
    const first = this.#chunks[0]!;
    const head = this.#head;
    let out: Buffer;
    if (first.length - head >= n) {
      out = first.subarray(head, head + n);
      this.#consumed(first, n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.#chunks[0]!;
        const from = this.#head;
        const used = Math.min(c.length - from, n - at);
        c.copy(out, at, from, from + used);
        at += used;
        this.#consumed(c, used);
      }
    }
    this.#buffered -= n;
    return out;
  }

  /** The next four buffered bytes as a big-endian int32, without a Buffer for them. */
  #takeInt32(): number {
    const first = this.#chunks[0]!;
    const head = this.#head;
    if (first.length - head >= 4) {
      const value = first.readInt32BE(head);
      this.#consumed(first, 4);
      this.#buffered -= 4;
      return value;
    }
    return this.#take(4).readInt32BE(0);
  }

  /** `n` bytes of the first chunk were taken: the chunk is dropped once all of it is. */
  #consumed(chunk: Buffer, n: number): void {
    this.#head += n;
    if (this.#head === chunk.length) {
      this.#chunks.shift();
      this.#head = 0;
    }
  }

  #dispatch(frame: Buffer): void {
    const auth = this.#session.authenticator;
    if (auth !== undefined && !auth.complete) {
      this.#dispatchUnauthenticated(frame, auth);
      return;
    }
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(frame);
    } catch {
      this.#reject('a request header that does not decode');
      return;
    }
    this.#serve(frame, header);
  }

  /** Decodes a request's body and runs its handler. */
  #serve(frame: Buffer, header: RequestHeader): void {
    const handler = guardedHandlerFor(header.apiKey);
    if (handler === undefined) {
      this.#reject(`API key ${header.apiKey}, which this broker does not serve`);
      return;
    }
    const { api } = handler;
    const version = header.apiVersion;
    if (version < api.minVersion || version > api.maxVersion) {
      if (api === API.ApiVersions && version > api.maxVersion) {
        const body = {
          errorCode: KafkaCode.UNSUPPORTED_VERSION,
          apiKeys: [{ apiKey: api.apiKey, minVersion: api.minVersion, maxVersion: api.maxVersion }],
        };
        this.#queue.push({ frame: encodeResponseChunks(API.ApiVersions, 0, header.correlationId, body as never) });
        this.#flush();
        return;
      }
      this.#reject(`${api.name} v${version} (this broker serves v${api.minVersion}-${api.maxVersion})`);
      return;
    }
    let request: unknown;
    try {
      request = api.decodeRequest(version, frame.subarray(header.bodyOffset));
    } catch {
      this.#reject(`a ${api.name} v${version} body that does not decode`);
      return;
    }
    this.#run(handler, header, request);
  }

  #run(handler: Handler, header: RequestHeader, request: unknown): Slot {
    const { api } = handler;
    const version = header.apiVersion;
    const slot: Slot = { frame: undefined };
    this.#queue.push(slot);
    const info: RequestInfo = {
      apiVersion: version,
      correlationId: header.correlationId,
      clientId: header.clientId,
      clientHost: this.#clientHost,
      principal: this.#session.principal,
      endpoint: this.#session.endpoint,
    };
    let result: unknown;
    const started = performance.now();
    try {
      // Called now, not in a later tick: requests reach the log in the order they came.
      result = handler.handle(this.#broker, request, info);
    } catch (err) {
      this.#failed(api.name, err);
      return slot;
    }
    Promise.resolve(result).then(
      (response) => {
        try {
          if (response === CLOSE_CONNECTION) slot.close = true;
          slot.frame =
            response === undefined || response === CLOSE_CONNECTION
              ? null
              : encodeResponseChunks(api, version, header.correlationId, response);
          this.#broker.requestMetrics?.observe(api.name, (performance.now() - started) / 1000);
        } catch (err) {
          this.#failed(api.name, err);
          return;
        }
        this.#flushSoon();
      },
      (err) => this.#failed(api.name, err),
    );
    return slot;
  }

  /**
   * A frame on a SASL listener before authentication completed: a raw token after SaslHandshake
   * v0, else ApiVersions, SaslHandshake or SaslAuthenticate as the exchange's state allows. Anything
   * else closes the connection, as Kafka's authenticator does.
   */
  #dispatchUnauthenticated(frame: Buffer, auth: Authenticator): void {
    if (auth.failed) return;
    if (auth.expectsRawTokens) {
      const slot: Slot = { frame: undefined };
      this.#queue.push(slot);
      void auth.authenticate(frame).then((step) => {
        if (step.errorCode !== KafkaCode.NONE) {
          // Raw (v0) tokens have no error field: the failure is the closed connection.
          this.#authenticationFailed(slot, null, step.errorMessage);
          return;
        }
        this.#authenticated(auth);
        const size = Buffer.alloc(4);
        size.writeInt32BE(step.authBytes.length);
        slot.frame = [size, step.authBytes];
        this.#flush();
      });
      return;
    }
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(frame);
    } catch {
      this.#reject('a request header that does not decode before authenticating');
      return;
    }
    if (!auth.admits(header.apiKey)) {
      this.#broker.logger.info('Closing a connection that sent a request before authenticating', {
        client: this.#clientHost,
        listener: this.#session.listener,
        apiKey: header.apiKey,
      });
      this.destroy();
      return;
    }
    const api =
      header.apiKey === API.SaslHandshake.apiKey
        ? API.SaslHandshake
        : header.apiKey === API.SaslAuthenticate.apiKey
          ? API.SaslAuthenticate
          : undefined;
    if (api === undefined) {
      // ApiVersions, served as usual.
      this.#serve(frame, header);
      auth.sawApiVersions();
      return;
    }
    const version = header.apiVersion;
    if (version < api.minVersion || version > api.maxVersion) {
      this.#reject(`${api.name} v${version} (this broker serves v${api.minVersion}-${api.maxVersion})`);
      return;
    }
    let request: unknown;
    try {
      request = api.decodeRequest(version, frame.subarray(header.bodyOffset));
    } catch {
      this.#reject(`a ${api.name} v${version} body that does not decode`);
      return;
    }
    const slot: Slot = { frame: undefined };
    this.#queue.push(slot);
    if (api === API.SaslHandshake) {
      const response = auth.handshake((request as { mechanism: string }).mechanism, version);
      const encoded = encodeResponseChunks(API.SaslHandshake, version, header.correlationId, response);
      if (auth.failed) {
        this.#authenticationFailed(slot, encoded, `unsupported SASL mechanism`);
        return;
      }
      slot.frame = encoded;
      this.#flush();
      return;
    }
    void auth.authenticate((request as { authBytes: Uint8Array }).authBytes).then((step) => {
      const encoded = encodeResponseChunks(API.SaslAuthenticate, version, header.correlationId, {
        ...step,
        sessionLifetimeMs: 0,
      });
      if (auth.failed) {
        this.#authenticationFailed(slot, encoded, step.errorMessage);
        return;
      }
      if (auth.complete) this.#authenticated(auth);
      slot.frame = encoded;
      this.#flush();
    });
  }

  #authenticated(auth: Authenticator): void {
    this.#session.principal = auth.principal!;
    this.#broker.logger.debug('Authenticated', {
      client: this.#clientHost,
      listener: this.#session.listener,
      principal: this.#session.principal,
      mechanism: auth.mechanism,
    });
  }

  /**
   * Kafka's answer to a failed authentication: nothing more is read; after the delay the answer
   * (if the protocol has one) is sent and the connection closed.
   */
  #authenticationFailed(slot: Slot, frame: Buffer[] | null, reason: string | null): void {
    this.#broker.logger.info('Failed authentication', {
      client: this.#clientHost,
      listener: this.#session.listener,
      reason: reason ?? 'authentication failed',
    });
    this.#socket.pause();
    this.#stopped = true;
    const timer = setTimeout(() => {
      slot.frame = frame;
      this.#flush();
      this.end();
      // A client that does not close its end is cut off.
      setTimeout(() => this.destroy(), 1000).unref();
    }, this.#session.failedAuthenticationDelayMs ?? 100);
    timer.unref();
  }

  #failed(name: string, err: unknown): void {
    this.#broker.logger.error(`${name} failed; closing the connection`, {
      error: String(err),
      client: this.#clientHost,
    });
    this.destroy();
  }

  #reject(what: string): void {
    this.#broker.logger.warn(`Closing a connection that sent ${what}`, { client: this.#clientHost });
    this.destroy();
  }

  #flushScheduled = false;

  /**
   * Flushes once the event loop has run what else is ready: answers completed in the same turn
   * (a group commit acknowledges many pipelined produces at once) leave in one writev, not one each.
   */
  #flushSoon(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#scheduledFlush);
  }

  readonly #scheduledFlush = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  #flush(): void {
    if (this.#closed) return;
    if (this.#flushSmall()) return;
    // Corked, so the segments of every ready response leave in one writev instead of one write each.
    this.#socket.cork();
    while (this.#queue.length > 0 && this.#queue[0]!.frame !== undefined) {
      const slot = this.#queue.shift()!;
      if (slot.frame !== null) for (const segment of slot.frame!) this.#socket.write(segment);
      if (slot.close) {
        this.#socket.uncork();
        this.#broker.logger.info('Closing a connection whose acks=0 produce was refused', { client: this.#clientHost });
        this.#queue.length = 0;
        const socket = this.#socket;
        socket.end(() => socket.destroy());
        this.#close();
        return;
      }
    }
    this.#socket.uncork();
    if (this.#queue.length < MAX_IN_FLIGHT && !this.#stopped) this.#socket.resume();
    if (this.#queue.length === 0) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle?.();
    }
  }

  /**
   * When the ready responses are small together (a produce's answer, a fetch of a few records),
   * copies them into one buffer and writes it: a copy of a few KiB costs less than the stream's
   * writev of many segments (a request object per segment, and the list it is gathered in).
   * Returns false, having written nothing, when they are not.
   */
  #flushSmall(): boolean {
    const queue = this.#queue;
    let bytes = 0;
    let ready = 0;
    for (; ready < queue.length; ready++) {
      const slot = queue[ready]!;
      if (slot.frame === undefined) break;
      if (slot.close) return false;
      if (slot.frame !== null) for (const segment of slot.frame) bytes += segment.length;
      if (bytes > SMALL_WRITE_BYTES) return false;
    }
    if (ready === 0) return false;
    if (bytes > 0) {
      const out = Buffer.allocUnsafe(bytes);
      let at = 0;
      for (let i = 0; i < ready; i++) {
        const frame = queue[i]!.frame;
        if (frame !== null) for (const segment of frame!) at += segment.copy(out, at);
      }
      this.#socket.write(out);
    }
    if (ready === queue.length) queue.length = 0;
    else queue.splice(0, ready);
    if (queue.length < MAX_IN_FLIGHT && !this.#stopped) this.#socket.resume();
    if (queue.length === 0) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle?.();
    }
    return true;
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks = [];
    this.#head = 0;
    const idle = this.#idle;
    this.#idle = undefined;
    idle?.();
  }
}

const guardedHandlers = new Map<number, Handler | undefined>();

/** The API's handler behind its authorization guard (see `security/guards.ts`). */
function guardedHandlerFor(apiKey: number): Handler | undefined {
  let h = guardedHandlers.get(apiKey);
  if (h === undefined && !guardedHandlers.has(apiKey)) {
    const handler = handlerFor(apiKey);
    h = handler === undefined ? undefined : guarded(handler);
    guardedHandlers.set(apiKey, h);
  }
  return h;
}

/** Node reports IPv4 clients of a dual-stack socket as `::ffff:a.b.c.d`; Kafka shows `a.b.c.d`. */
function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
