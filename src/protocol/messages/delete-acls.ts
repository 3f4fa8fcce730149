/**
 * DeleteAcls (key 31): remove the ACL bindings matching filters. Versions 0-3, flexible from 2.
 *
 * ```
 * DeleteAclsRequest
 *   filters                 [DeleteAclsFilter]
 *     resource_type_filter  int8
 *     resource_name_filter  nullable string
 *     pattern_type_filter   int8 (default 3)   v1+
 *     principal_filter      nullable string
 *     host_filter           nullable string
 *     operation             int8
 *     permission_type       int8
 *
 * DeleteAclsResponse
 *   throttle_time_ms        int32
 *   filter_results          [DeleteAclsFilterResult]
 *     error_code            int16
 *     error_message         nullable string
 *     matching_acls         [DeleteAclsMatchingAcl]
 *       error_code          int16
 *       error_message       nullable string
 *       resource_type       int8
 *       resource_name       string
 *       pattern_type        int8 (default 3)   v1+
 *       principal           string
 *       host                string
 *       operation           int8
 *       permission_type     int8
 * ```
 *
 * @example
 * deleteAcls.encodeRequest(1, { filters: [{ resourceTypeFilter: 2, resourceNameFilter: 't', patternTypeFilter: 3, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DeleteAclsRequest = message({
  valid: '0-3',
  flexible: '2+',
  fields: [
    f.array('filters', '0+', [
      f.int8('resourceTypeFilter', '0+'),
      f.nstring('resourceNameFilter', '0+', '0+'),
      f.int8('patternTypeFilter', '1+', { default: 3 }),
      f.nstring('principalFilter', '0+', '0+'),
      f.nstring('hostFilter', '0+', '0+'),
      f.int8('operation', '0+'),
      f.int8('permissionType', '0+'),
    ]),
  ],
});
export type DeleteAclsRequest = MessageOf<typeof DeleteAclsRequest>;

export const DeleteAclsResponse = message({
  valid: '0-3',
  flexible: '2+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('filterResults', '0+', [
      f.int16('errorCode', '0+'),
      f.nstring('errorMessage', '0+', '0+'),
      f.array('matchingAcls', '0+', [
        f.int16('errorCode', '0+'),
        f.nstring('errorMessage', '0+', '0+'),
        f.int8('resourceType', '0+'),
        f.string('resourceName', '0+'),
        f.int8('patternType', '1+', { default: 3 }),
        f.string('principal', '0+'),
        f.string('host', '0+'),
        f.int8('operation', '0+'),
        f.int8('permissionType', '0+'),
      ]),
    ]),
  ],
});
export type DeleteAclsResponse = MessageOf<typeof DeleteAclsResponse>;

/** DeleteAcls, key 31. */
export const deleteAcls = api(31, 'DeleteAcls', DeleteAclsRequest, DeleteAclsResponse);
