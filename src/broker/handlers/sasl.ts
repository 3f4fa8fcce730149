/**
 * SaslHandshake (key 17) and SaslAuthenticate (key 36) on a PLAINTEXT listener: no mechanism is
 * enabled, so a client configured for SASL gets Kafka's UNSUPPORTED_SASL_MECHANISM with the empty
 * list of enabled mechanisms (and SaslAuthenticate ILLEGAL_SASL_STATE), a clear error instead of a
 * closed connection. The security issue puts mechanisms behind these.
 */
import { API } from '../../protocol/messages/index.ts';
import { handler } from '../handler.ts';

const UNSUPPORTED_SASL_MECHANISM = 33;
const ILLEGAL_SASL_STATE = 34;

export const saslHandshakeHandler = handler(API.SaslHandshake, () => ({
  errorCode: UNSUPPORTED_SASL_MECHANISM,
  mechanisms: [],
}));

export const saslAuthenticateHandler = handler(API.SaslAuthenticate, () => ({
  errorCode: ILLEGAL_SASL_STATE,
  errorMessage: 'This listener has no SASL mechanism enabled',
  authBytes: Buffer.alloc(0),
  sessionLifetimeMs: 0,
}));
