/**
 * DescribeAcls (key 29): ACL bindings matching a filter. Versions 0-3, flexible from 2. Pattern type
 * 3 is LITERAL (v0 knows only literal patterns), 1 ANY, 2 MATCH, 4 PREFIXED.
 *
 * ```
 * DescribeAclsRequest
 *   resource_type_filter  int8
 *   resource_name_filter  nullable string
 *   pattern_type_filter   int8 (default 3)   v1+
 *   principal_filter      nullable string
 *   host_filter           nullable string
 *   operation             int8
 *   permission_type       int8
 *
 * DescribeAclsResponse
 *   throttle_time_ms      int32
 *   error_code            int16
 *   error_message         nullable string
 *   resources             [DescribeAclsResource]
 *     resource_type       int8
 *     resource_name       string
 *     pattern_type        int8 (default 3)   v1+
 *     acls                [AclDescription]
 *       principal         string
 *       host              string
 *       operation         int8
 *       permission_type   int8
 * ```
 *
 * @example
 * describeAcls.encodeRequest(1, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DescribeAclsRequest = message({
  valid: '0-3',
  flexible: '2+',
  fields: [
    f.int8('resourceTypeFilter', '0+'),
    f.nstring('resourceNameFilter', '0+', '0+'),
    f.int8('patternTypeFilter', '1+', { default: 3 }),
    f.nstring('principalFilter', '0+', '0+'),
    f.nstring('hostFilter', '0+', '0+'),
    f.int8('operation', '0+'),
    f.int8('permissionType', '0+'),
  ],
});
export type DescribeAclsRequest = MessageOf<typeof DescribeAclsRequest>;

export const DescribeAclsResponse = message({
  valid: '0-3',
  flexible: '2+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.nstring('errorMessage', '0+', '0+'),
    f.array('resources', '0+', [
      f.int8('resourceType', '0+'),
      f.string('resourceName', '0+'),
      f.int8('patternType', '1+', { default: 3 }),
      f.array('acls', '0+', [
        f.string('principal', '0+'),
        f.string('host', '0+'),
        f.int8('operation', '0+'),
        f.int8('permissionType', '0+'),
      ]),
    ]),
  ],
});
export type DescribeAclsResponse = MessageOf<typeof DescribeAclsResponse>;

/** DescribeAcls, key 29. */
export const describeAcls = api(29, 'DescribeAcls', DescribeAclsRequest, DescribeAclsResponse);
