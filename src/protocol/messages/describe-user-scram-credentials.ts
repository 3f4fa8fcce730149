/**
 * DescribeUserScramCredentials (key 50): which SCRAM mechanisms users have credentials for (never
 * the credentials). Version 0, flexible. Mechanism 1 is SCRAM-SHA-256, 2 SCRAM-SHA-512.
 *
 * ```
 * DescribeUserScramCredentialsRequest
 *   users                 [UserName], nullable (null = all users)
 *     name                string
 *
 * DescribeUserScramCredentialsResponse
 *   throttle_time_ms      int32
 *   error_code            int16
 *   error_message         nullable string
 *   results               [DescribeUserScramCredentialsResult]
 *     user                string
 *     error_code          int16
 *     error_message       nullable string
 *     credential_infos    [CredentialInfo]
 *       mechanism         int8
 *       iterations        int32
 * ```
 *
 * @example
 * describeUserScramCredentials.encodeRequest(0, { users: null });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DescribeUserScramCredentialsRequest = message({
  valid: '0',
  flexible: '0+',
  fields: [f.narray('users', '0+', '0+', [f.string('name', '0+')])],
});
export type DescribeUserScramCredentialsRequest = MessageOf<typeof DescribeUserScramCredentialsRequest>;

export const DescribeUserScramCredentialsResponse = message({
  valid: '0',
  flexible: '0+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.nstring('errorMessage', '0+', '0+'),
    f.array('results', '0+', [
      f.string('user', '0+'),
      f.int16('errorCode', '0+'),
      f.nstring('errorMessage', '0+', '0+'),
      f.array('credentialInfos', '0+', [f.int8('mechanism', '0+'), f.int32('iterations', '0+')]),
    ]),
  ],
});
export type DescribeUserScramCredentialsResponse = MessageOf<typeof DescribeUserScramCredentialsResponse>;

/** DescribeUserScramCredentials, key 50. */
export const describeUserScramCredentials = api(
  50,
  'DescribeUserScramCredentials',
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
);
