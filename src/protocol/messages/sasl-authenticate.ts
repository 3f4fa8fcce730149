/**
 * SaslAuthenticate (key 36): one round of SASL tokens. Versions 0-2, flexible from 2.
 *
 * ```
 * SaslAuthenticateRequest
 *   auth_bytes           bytes
 *
 * SaslAuthenticateResponse
 *   error_code           int16
 *   error_message        nullable string
 *   auth_bytes           bytes
 *   session_lifetime_ms  int64             v1+
 * ```
 *
 * @example
 * saslAuthenticate.encodeRequest(1, { authBytes: Buffer.from('\0user\0secret') });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const SaslAuthenticateRequest = message({
  valid: '0-2',
  flexible: '2+',
  fields: [f.bytes('authBytes', '0+')],
});
export type SaslAuthenticateRequest = MessageOf<typeof SaslAuthenticateRequest>;

export const SaslAuthenticateResponse = message({
  valid: '0-2',
  flexible: '2+',
  fields: [
    f.int16('errorCode', '0+'),
    f.nstring('errorMessage', '0+', '0+'),
    f.bytes('authBytes', '0+'),
    f.int64('sessionLifetimeMs', '1+'),
  ],
});
export type SaslAuthenticateResponse = MessageOf<typeof SaslAuthenticateResponse>;

/** SaslAuthenticate, key 36. */
export const saslAuthenticate = api(36, 'SaslAuthenticate', SaslAuthenticateRequest, SaslAuthenticateResponse);
