/**
 * ListGroups (key 16): the groups a coordinator knows. Versions 0-5, flexible from 3.
 *
 * ```
 * ListGroupsRequest
 *   states_filter     [string]       v4+
 *   types_filter      [string]       v5+
 *
 * ListGroupsResponse
 *   throttle_time_ms  int32          v1+
 *   error_code        int16
 *   groups            [ListedGroup]
 *     group_id        string
 *     protocol_type   string
 *     group_state     string         v4+
 *     group_type      string         v5+
 * ```
 *
 * @example
 * listGroups.encodeRequest(4, { statesFilter: ['Stable'], typesFilter: [] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const ListGroupsRequest = message({
  valid: '0-5',
  flexible: '3+',
  fields: [f.arrayOf('statesFilter', '4+', 'string'), f.arrayOf('typesFilter', '5+', 'string')],
});
export type ListGroupsRequest = MessageOf<typeof ListGroupsRequest>;

export const ListGroupsResponse = message({
  valid: '0-5',
  flexible: '3+',
  fields: [
    f.int32('throttleTimeMs', '1+'),
    f.int16('errorCode', '0+'),
    f.array('groups', '0+', [
      f.string('groupId', '0+'),
      f.string('protocolType', '0+'),
      f.string('groupState', '4+'),
      f.string('groupType', '5+'),
    ]),
  ],
});
export type ListGroupsResponse = MessageOf<typeof ListGroupsResponse>;

/** ListGroups, key 16. */
export const listGroups = api(16, 'ListGroups', ListGroupsRequest, ListGroupsResponse);
