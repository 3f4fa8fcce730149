/**
 * AlterUserScramCredentials (key 51): add, replace or delete users' SCRAM credentials. Version 0,
 * flexible. Mechanism 1 is SCRAM-SHA-256, 2 SCRAM-SHA-512; the client sends the salted password,
 * never the password.
 *
 * ```
 * AlterUserScramCredentialsRequest
 *   deletions           [ScramCredentialDeletion]
 *     name              string
 *     mechanism         int8
 *   upsertions          [ScramCredentialUpsertion]
 *     name              string
 *     mechanism         int8
 *     iterations        int32
 *     salt              bytes
 *     salted_password   bytes
 *
 * AlterUserScramCredentialsResponse
 *   throttle_time_ms    int32
 *   results             [AlterUserScramCredentialsResult]
 *     user              string
 *     error_code        int16
 *     error_message     nullable string
 * ```
 *
 * @example
 * alterUserScramCredentials.encodeRequest(0, { deletions: [{ name: 'bob', mechanism: 1 }], upsertions: [] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const AlterUserScramCredentialsRequest = message({
  valid: '0',
  flexible: '0+',
  fields: [
    f.array('deletions', '0+', [f.string('name', '0+'), f.int8('mechanism', '0+')]),
    f.array('upsertions', '0+', [
      f.string('name', '0+'),
      f.int8('mechanism', '0+'),
      f.int32('iterations', '0+'),
      f.bytes('salt', '0+'),
      f.bytes('saltedPassword', '0+'),
    ]),
  ],
});
export type AlterUserScramCredentialsRequest = MessageOf<typeof AlterUserScramCredentialsRequest>;

export const AlterUserScramCredentialsResponse = message({
  valid: '0',
  flexible: '0+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('results', '0+', [
      f.string('user', '0+'),
      f.int16('errorCode', '0+'),
      f.nstring('errorMessage', '0+', '0+'),
    ]),
  ],
});
export type AlterUserScramCredentialsResponse = MessageOf<typeof AlterUserScramCredentialsResponse>;

/** AlterUserScramCredentials, key 51. */
export const alterUserScramCredentials = api(
  51,
  'AlterUserScramCredentials',
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
);
