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
import type { BrokerContext, RequestInfo } from './context.ts';
import { KafkaCode } from './errors.ts';
import { handlerFor } from './handlers/index.ts';

/** The smallest request: api key, version, correlation id, client id length. */
const MIN_FRAME = 10;
/** Requests read ahead of their answers before the socket is paused. */
const MAX_IN_FLIGHT = 64;

interface Slot {
  /**
   * The response frame as the segments it is made of (stored record batches referenced, not
   * copied: see encodeResponseChunks), null for no response (acks=0); undefined while pending.
   */
  frame: Buffer[] | null | undefined;
}

export class Connection {
  readonly #socket: Socket;
  readonly #broker: BrokerContext;
  readonly #maxRequestBytes: number;
  readonly #clientHost: string;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** The size of the frame being read, once its prefix is in; -1 before. */
  #size = -1;
  readonly #queue: Slot[] = [];
  #closed = false;
  #idle: (() => void) | undefined;

  constructor(socket: Socket, broker: BrokerContext, maxRequestBytes: number) {
    this.#socket = socket;
    this.#broker = broker;
    this.#maxRequestBytes = maxRequestBytes;
    this.#clientHost = `/${socket.remoteAddress ?? 'unknown'}`;
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
        const size = this.#take(4).readInt32BE(0);
        if (size < MIN_FRAME || size > this.#maxRequestBytes) {
          this.#broker.logger.warn('Closing a connection: request size out of bounds', {
            size,
            client: this.#clientHost,
            limit: this.#maxRequestBytes,
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
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.#chunks[0]!;
        const used = Math.min(c.length, n - at);
        c.copy(out, at, 0, used);
        at += used;
        if (used === c.length) this.#chunks.shift();
        else this.#chunks[0] = c.subarray(used);
      }
    }
    this.#buffered -= n;
    return out;
  }

  #dispatch(frame: Buffer): void {
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(frame);
    } catch {
      this.#reject('a request header that does not decode');
      return;
    }
    const handler = handlerFor(header.apiKey);
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
    const slot: Slot = { frame: undefined };
    this.#queue.push(slot);
    const info: RequestInfo = {
      apiVersion: version,
      correlationId: header.correlationId,
      clientId: header.clientId,
      clientHost: this.#clientHost,
    };
    let result: unknown;
    try {
      // Called now, not in a later tick: requests reach the log in the order they came.
      result = handler.handle(this.#broker, request, info);
    } catch (err) {
      this.#failed(api.name, err);
      return;
    }
    Promise.resolve(result).then(
      (response) => {
        try {
          slot.frame =
            response === undefined ? null : encodeResponseChunks(api, version, header.correlationId, response);
        } catch (err) {
          this.#failed(api.name, err);
          return;
        }
        this.#flush();
      },
      (err) => this.#failed(api.name, err),
    );
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

  #flush(): void {
    if (this.#closed) return;
    // Corked, so the segments of every ready response leave in one writev instead of one write each.
    this.#socket.cork();
    while (this.#queue.length > 0 && this.#queue[0]!.frame !== undefined) {
      const frame = this.#queue.shift()!.frame as Buffer[] | null;
      if (frame !== null) for (const segment of frame) this.#socket.write(segment);
    }
    this.#socket.uncork();
    if (this.#queue.length < MAX_IN_FLIGHT && !this.#stopped) this.#socket.resume();
    if (this.#queue.length === 0) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle?.();
    }
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks = [];
    const idle = this.#idle;
    this.#idle = undefined;
    idle?.();
  }
}
