/**
 * CreateAcls (key 30): add ACL bindings. Versions 0-3, flexible from 2.
 *
 * ```
 * CreateAclsRequest
 *   creations               [AclCreation]
 *     resource_type         int8
 *     resource_name         string
 *     resource_pattern_type int8 (default 3 = LITERAL)  v1+
 *     principal             string
 *     host                  string
 *     operation             int8
 *     permission_type       int8
 *
 * CreateAclsResponse
 *   throttle_time_ms        int32
 *   results                 [AclCreationResult]
 *     error_code            int16
 *     error_message         nullable string
 * ```
 *
 * @example
 * createAcls.encodeRequest(1, { creations: [{ resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const CreateAclsRequest = message({
  valid: '0-3',
  flexible: '2+',
  fields: [
    f.array('creations', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.int8('resourcePatternType', '1+', { default: 3 }),
      f.string('principal', '0+'),
      f.string('host', '0+'),
      f.int8('operation', '0+'),
      f.int8('permissionType', '0+'),
    ]),
  ],
});
export type CreateAclsRequest = MessageOf<typeof CreateAclsRequest>;

export const CreateAclsResponse = message({
  valid: '0-3',
  flexible: '2+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('results', '0+', [f.int16('errorCode', '0+'), f.nstring('errorMessage', '0+', '0+')]),
  ],
});
export type CreateAclsResponse = MessageOf<typeof CreateAclsResponse>;

/** CreateAcls, key 30. */
export const createAcls = api(30, 'CreateAcls', CreateAclsRequest, CreateAclsResponse);
