/**
 * DescribeGroups (key 15): state, protocol and members of classic groups. Versions 0-5, flexible
 * from 5.
 *
 * ```
 * DescribeGroupsRequest
 *   groups                          [string]
 *   include_authorized_operations   bool                      v3+
 *
 * DescribeGroupsResponse
 *   throttle_time_ms                int32                     v1+
 *   groups                          [DescribedGroup]
 *     error_code                    int16
 *     group_id                      string
 *     group_state                   string
 *     protocol_type                 string
 *     protocol_data                 string
 *     members                       [DescribedGroupMember]
 *       member_id                   string
 *       group_instance_id           nullable string           v4+
 *       client_id                   string
 *       client_host                 string
 *       member_metadata             bytes
 *       member_assignment           bytes
 *     authorized_operations         int32 (default INT32_MIN) v3+
 * ```
 *
 * @example
 * describeGroups.encodeRequest(2, { groups: ['g'], includeAuthorizedOperations: false });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DescribeGroupsRequest = message({
  valid: '0-5',
  flexible: '5+',
  fields: [f.arrayOf('groups', '0+', 'string'), f.bool('includeAuthorizedOperations', '3+')],
});
export type DescribeGroupsRequest = MessageOf<typeof DescribeGroupsRequest>;

export const DescribeGroupsResponse = message({
  valid: '0-5',
  flexible: '5+',
  fields: [
    f.int32('throttleTimeMs', '1+'),
    f.array('groups', '0+', [
      f.int16('errorCode', '0+'),
      f.string('groupId', '0+'),
      f.string('groupState', '0+'),
      f.string('protocolType', '0+'),
      f.string('protocolData', '0+'),
      f.array('members', '0+', [
        f.string('memberId', '0+'),
        f.nstring('groupInstanceId', '4+', '4+'),
        f.string('clientId', '0+'),
        f.string('clientHost', '0+'),
        f.bytes('memberMetadata', '0+'),
        f.bytes('memberAssignment', '0+'),
      ]),
      f.int32('authorizedOperations', '3+', { default: -2147483648 }),
    ]),
  ],
});
export type DescribeGroupsResponse = MessageOf<typeof DescribeGroupsResponse>;

/** DescribeGroups, key 15. */
export const describeGroups = api(15, 'DescribeGroups', DescribeGroupsRequest, DescribeGroupsResponse);
