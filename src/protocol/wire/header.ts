/**
 * Request and response headers, and whole frames with their int32 size prefix.
 *
 * ```
 * frame            size int32 (bytes after it), header, body
 * request header   v0: request_api_key int16, request_api_version int16, correlation_id int32
 *                  v1: v0 + client_id nullable string (int16 length, -1 = null)
 *                  v2: v1 + tagged fields (client_id stays a non-compact string)
 * response header  v0: correlation_id int32
 *                  v1: v0 + tagged fields
 * ```
 *
 * A request in a flexible version uses request header v2 and its response header v1; otherwise v1
 * and v0. ApiVersions responses always use header v0, whatever the version, so that a client can
 * read the answer before it knows which versions the broker speaks (KIP-511).
 *
 * @example
 * const frame = encodeRequest(API.Heartbeat, 3, 7, 'my-client', { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
 * const header = decodeRequestHeader(frame.subarray(4)); // { apiKey: 12, apiVersion: 3, correlationId: 7, clientId: 'my-client', bodyOffset: 19 }
 */

import { apiByKey } from '../messages/index.ts';
import type { ApiMessage } from './api.ts';
import { Reader } from './reader.ts';
import type { Input } from './schema.ts';
import { Writer } from './writer.ts';

const API_VERSIONS_KEY = 18;

/** The request header version of `api` at `version`: 2 when flexible, else 1. */
export function requestHeaderVersion(api: ApiMessage<never, never> | ApiMessage, version: number): 1 | 2 {
  return version >= api.flexibleFrom ? 2 : 1;
}

/** The response header version of `api` at `version`: 1 when flexible, else 0; ApiVersions always 0. */
export function responseHeaderVersion(api: ApiMessage<never, never> | ApiMessage, version: number): 0 | 1 {
  if (api.apiKey === API_VERSIONS_KEY) return 0;
  return version >= api.flexibleFrom ? 1 : 0;
}

/** What a request header says, and where the body starts in the frame given. */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Offset of the body in the frame passed to {@link decodeRequestHeader}. */
  bodyOffset: number;
}

/**
 * A whole request frame: size prefix, header (v1 or v2 as the version needs) and body.
 *
 * @example
 * socket.write(encodeRequest(API.ApiVersions, 3, 1, 'cli', { clientSoftwareName: 'tributary', clientSoftwareVersion: '0.1.0' }));
 */
export function encodeRequest<Req>(
  api: ApiMessage<Req, unknown>,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: Req | Input<Req>,
): Buffer {
  const w = new Writer(512, 4);
  w.int16(api.apiKey);
  w.int16(version);
  w.int32(correlationId);
  w.string(clientId);
  if (version >= api.flexibleFrom) w.uvarint(0);
  api.request.write(version, w, body);
  return sizePrefixed(w);
}

/**
 * The same frame as {@link encodeRequest}, as segments that reference the record sets instead of
 * copying them (a Produce request's batches); the size prefix is in the first segment. The record
 * buffers must stay unchanged until the segments are written.
 *
 * @example
 * socket.cork();
 * for (const chunk of encodeRequestChunks(API.Produce, 7, 2, 'cli', request)) socket.write(chunk);
 * socket.uncork();
 */
export function encodeRequestChunks<Req>(
  api: ApiMessage<Req, unknown>,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: Req | Input<Req>,
): Buffer[] {
  const w = new Writer(512, 4);
  w.int16(api.apiKey);
  w.int16(version);
  w.int32(correlationId);
  w.string(clientId);
  if (version >= api.flexibleFrom) w.uvarint(0);
  api.request.write(version, w, body);
  return sizePrefixedChunks(w);
}

/**
 * Reads a request header from a frame without its size prefix. An API key this codebase does not
 * know is read as header v1, so that the broker can still answer it with UNSUPPORTED_VERSION.
 * Throws `CORRUPT_MESSAGE` when the header is truncated or malformed.
 */
export function decodeRequestHeader(frame: Buffer): RequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string(true);
  const api = apiByKey(apiKey);
  if (api !== undefined && apiVersion >= api.flexibleFrom) skipTaggedFields(r);
  return { apiKey, apiVersion, correlationId, clientId, bodyOffset: r.pos };
}

/**
 * A whole response frame: size prefix, header (v0 or v1) and body.
 *
 * @example
 * socket.write(encodeResponse(API.Heartbeat, 3, header.correlationId, { throttleTimeMs: 0, errorCode: 0 }));
 */
export function encodeResponse<Res>(
  api: ApiMessage<unknown, Res>,
  version: number,
  correlationId: number,
  body: Res | Input<Res>,
): Buffer {
  const w = new Writer(512, 4);
  w.int32(correlationId);
  if (responseHeaderVersion(api as ApiMessage, version) === 1) w.uvarint(0);
  api.response.write(version, w, body);
  return sizePrefixed(w);
}

/**
 * The same frame as {@link encodeResponse}, as the segments it is made of: record sets are not
 * copied but referenced, for `socket.writev`/`cork` (the Fetch hot path). The size prefix is in the
 * first segment. The record buffers must stay unchanged until the segments are written.
 *
 * @example
 * socket.cork();
 * for (const chunk of encodeResponseChunks(API.Fetch, 11, header.correlationId, response)) socket.write(chunk);
 * socket.uncork();
 */
export function encodeResponseChunks<Res>(
  api: ApiMessage<unknown, Res>,
  version: number,
  correlationId: number,
  body: Res | Input<Res>,
): Buffer[] {
  const w = new Writer(512, 4);
  w.int32(correlationId);
  if (responseHeaderVersion(api as ApiMessage, version) === 1) w.uvarint(0);
  api.response.write(version, w, body);
  return sizePrefixedChunks(w);
}

/** Reads a response (header and body) from a frame without its size prefix. */
export function decodeResponse<Res>(
  api: ApiMessage<unknown, Res>,
  version: number,
  frame: Buffer,
): { correlationId: number; body: Res } {
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderVersion(api as ApiMessage, version) === 1) skipTaggedFields(r);
  return { correlationId, body: api.response.read(version, r) };
}

/** Reads only the correlation id of a response frame (without its size prefix). */
export function peekCorrelationId(frame: Buffer): number {
  return new Reader(frame).int32();
}

function skipTaggedFields(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

function sizePrefixed(w: Writer): Buffer {
  const frame = w.finish();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

function sizePrefixedChunks(w: Writer): Buffer[] {
  const size = w.length - 4;
  const chunks = w.finishChunks();
  chunks[0]!.writeInt32BE(size, 0);
  return chunks;
}
