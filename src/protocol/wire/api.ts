/**
 * The interface every API codec exports (see CODEC-CONTRACT): its key, Kafka's name, the versions it
 * implements and the four body codecs. Bodies only: the headers and the size prefix are
 * `header.ts`'s job.
 *
 * @example
 * import { heartbeat } from '../messages/heartbeat.ts';
 * const body = heartbeat.encodeRequest(3, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
 * heartbeat.decodeRequest(3, body).groupId; // 'g'
 */

import { TributaryError } from '../../errors.ts';
import type { Input, MessageSchema } from './schema.ts';

export interface ApiMessage<Req = unknown, Res = unknown> {
  readonly apiKey: number;
  /** Kafka's name: 'Produce', 'Fetch', 'ApiVersions', … */
  readonly name: string;
  /** Lowest version this codec implements (0 where Kafka ever had 0). */
  readonly minVersion: number;
  /** Highest version this codec implements. */
  readonly maxVersion: number;
  /** First flexible version (`Number.POSITIVE_INFINITY` if none). */
  readonly flexibleFrom: number;
  /** The request body (no header). Fields left out are written as their defaults. */
  encodeRequest(version: number, body: Req | Input<Req>): Buffer;
  /** Throws `TributaryError` `CORRUPT_MESSAGE` on bytes that do not decode, `INVALID_REQUEST` on a version outside the range. */
  decodeRequest(version: number, body: Buffer): Req;
  /** The response body (no header). Fields left out are written as their defaults. */
  encodeResponse(version: number, body: Res | Input<Res>): Buffer;
  decodeResponse(version: number, body: Buffer): Res;
  /** The schemas the codecs are built from (for headers, tests and tools). */
  readonly request: MessageSchema<Req>;
  readonly response: MessageSchema<Res>;
}

/** The request type of an {@link ApiMessage}. */
export type RequestOf<A> = A extends ApiMessage<infer Req, unknown> ? Req : never;
/** The response type of an {@link ApiMessage}. */
export type ResponseOf<A> = A extends ApiMessage<unknown, infer Res> ? Res : never;

/**
 * Binds a request and a response schema into an {@link ApiMessage}. Both must declare the same valid
 * and flexible versions.
 *
 * @example
 * export const heartbeat = api(12, 'Heartbeat', HeartbeatRequest, HeartbeatResponse);
 */
export function api<Req, Res>(
  apiKey: number,
  name: string,
  request: MessageSchema<Req>,
  response: MessageSchema<Res>,
): ApiMessage<Req, Res> {
  if (
    request.valid.lo !== response.valid.lo ||
    request.valid.hi !== response.valid.hi ||
    request.flexible.lo !== response.flexible.lo
  ) {
    throw new TypeError(`${name}: request and response declare different versions`);
  }
  const check = (version: number): void => {
    if (!Number.isInteger(version) || version < request.valid.lo || version > request.valid.hi) {
      throw new TributaryError(
        'INVALID_REQUEST',
        `${name} v${version} is not supported (${request.valid.lo}-${request.valid.hi})`,
      );
    }
  };
  return {
    apiKey,
    name,
    minVersion: request.valid.lo,
    maxVersion: request.valid.hi,
    flexibleFrom: request.flexible.lo <= request.flexible.hi ? request.flexible.lo : Number.POSITIVE_INFINITY,
    request,
    response,
    encodeRequest(version, body) {
      check(version);
      return request.encode(version, body);
    },
    decodeRequest(version, body) {
      check(version);
      return request.decode(version, body);
    },
    encodeResponse(version, body) {
      check(version);
      return response.encode(version, body);
    },
    decodeResponse(version, body) {
      check(version);
      return response.decode(version, body);
    },
  };
}
