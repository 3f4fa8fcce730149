/**
 * A handler serves one Kafka API: it takes the decoded request body and returns the response body
 * (or `undefined` for a request Kafka does not answer: Produce with acks=0). Errors it can name go
 * into the response as Kafka's error codes; an exception that escapes it closes the connection, as a
 * request Kafka cannot process does.
 *
 * @example
 * export const heartbeatHandler = handler(API.Heartbeat, (broker, req) => ({ throttleTimeMs: 0, errorCode: 0 }));
 */
import type { ApiMessage } from '../protocol/messages/index.ts';
import type { BrokerContext, RequestInfo } from './context.ts';

export interface Handler<Req = unknown, Res = unknown> {
  readonly api: ApiMessage<Req, Res>;
  handle(broker: BrokerContext, request: Req, info: RequestInfo): Res | undefined | Promise<Res | undefined>;
}

/** Binds an API's codec to the function that serves it. */
export function handler<Req, Res>(api: ApiMessage<Req, Res>, handle: Handler<Req, Res>['handle']): Handler<Req, Res> {
  return { api, handle };
}
