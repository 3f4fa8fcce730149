/**
 * SaslHandshake (key 17): pick a SASL mechanism. Versions 0-1, never flexible. With v0 the SASL
 * tokens that follow travel as raw size-prefixed frames; with v1 inside SaslAuthenticate requests.
 *
 * ```
 * SaslHandshakeRequest
 *   mechanism         string
 *
 * SaslHandshakeResponse
 *   error_code        int16
 *   mechanisms        [string]
 * ```
 *
 * @example
 * saslHandshake.encodeRequest(1, { mechanism: 'PLAIN' });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const SaslHandshakeRequest = message({
  valid: '0-1',
  flexible: 'none',
  fields: [f.string('mechanism', '0+')],
});
export type SaslHandshakeRequest = MessageOf<typeof SaslHandshakeRequest>;

export const SaslHandshakeResponse = message({
  valid: '0-1',
  flexible: 'none',
  fields: [f.int16('errorCode', '0+'), f.arrayOf('mechanisms', '0+', 'string')],
});
export type SaslHandshakeResponse = MessageOf<typeof SaslHandshakeResponse>;

/** SaslHandshake, key 17. */
export const saslHandshake = api(17, 'SaslHandshake', SaslHandshakeRequest, SaslHandshakeResponse);
