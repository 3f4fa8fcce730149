/**
 * A handler serves one Kafka API: it takes the decoded request body and returns the response body
 * (or `undefined` for a request Kafka does not answer: Produce with acks=0, or
 * {@link CLOSE_CONNECTION} when such a request failed). Errors it can name go into the response as
 * Kafka's error codes; an exception that escapes it closes the connection, as a request Kafka cannot
 * process does.
 *
 * @example
 * export const heartbeatHandler = handler(API.Heartbeat, (broker, req) => ({ throttleTimeMs: 0, errorCode: 0 }));
 */
import type { ApiMessage } from '../protocol/messages/index.ts';
import type { BrokerContext, RequestInfo } from './context.ts';

/**
 * What a handler returns for a request that has no response but failed (Produce with acks=0 that
 * was refused in part or whole): the connection sends the responses before it, then closes, so the
 * producer learns that something went wrong and refreshes its metadata, as Kafka does.
 */
export const CLOSE_CONNECTION: unique symbol = Symbol('close the connection');

/** A handler's answer: the response body, none, or CLOSE_CONNECTION. */
export type Answer<Res> = Res | undefined | typeof CLOSE_CONNECTION;

export interface Handler<Req = unknown, Res = unknown> {
  readonly api: ApiMessage<Req, Res>;
  handle(broker: BrokerContext, request: Req, info: RequestInfo): Answer<Res> | Promise<Answer<Res>>;
}

/** Binds an API's codec to the function that serves it. */
export function handler<Req, Res>(api: ApiMessage<Req, Res>, handle: Handler<Req, Res>['handle']): Handler<Req, Res> {
  return { api, handle };
}
