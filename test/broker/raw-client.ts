import { connect, type Socket } from 'node:net';
import type { ApiMessage } from '../../src/protocol/messages/index.ts';
import type { Input } from '../../src/protocol/wire/schema.ts';
import { decodeResponse, encodeRequest } from '../../src/protocol/wire/header.ts';

interface Waiting {
  decode: (frame: Buffer) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * A bare Kafka-protocol client for tests: frames requests with the codecs, reads answers in order,
 * and can send any bytes at all.
 */
export class RawClient {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  #buffer = Buffer.alloc(0);
  #waiting: Waiting[] = [];
  #correlationId = 0;
  /** Frames that came with nobody waiting for them. */
  readonly unexpected: Buffer[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 4) {
        const size = this.#buffer.readInt32BE(0);
        if (this.#buffer.length < 4 + size) break;
        const frame = this.#buffer.subarray(4, 4 + size);
        this.#buffer = this.#buffer.subarray(4 + size);
        const waiting = this.#waiting.shift();
        if (waiting === undefined) this.unexpected.push(frame);
        else {
          try {
            waiting.resolve(waiting.decode(frame));
          } catch (err) {
            waiting.reject(err);
          }
        }
      }
    });
    socket.on('close', () => {
      for (const w of this.#waiting.splice(0)) w.reject(new Error('connection closed'));
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a request and resolves with its decoded response body (and correlation id). */
  request<Req, Res>(
    api: ApiMessage<Req, Res>,
    version: number,
    body: Input<Req>,
    clientId: string | null = 'raw-test',
  ): Promise<Res> {
    const id = ++this.#correlationId;
    const promise = this.expect<Res>((frame) => {
      const { correlationId, body: decoded } = decodeResponse(api, version, frame);
      if (correlationId !== id) throw new Error(`correlation id ${correlationId}, expected ${id}`);
      return decoded;
    });
    this.socket.write(encodeRequest(api, version, id, clientId, body));
    return promise;
  }

  /** The frame of a request, without sending it. */
  frame<Req>(api: ApiMessage<Req, unknown>, version: number, body: Input<Req>): Buffer {
    return encodeRequest(api, version, ++this.#correlationId, 'raw-test', body);
  }

  /** Waits for the next response frame, decoded by `decode`. */
  expect<T>(decode: (frame: Buffer) => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ decode, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}
