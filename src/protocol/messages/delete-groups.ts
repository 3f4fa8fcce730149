/**
 * DeleteGroups (key 42): delete empty groups and their offsets. Versions 0-2, flexible from 2.
 *
 * ```
 * DeleteGroupsRequest
 *   groups_names      [string]
 *
 * DeleteGroupsResponse
 *   throttle_time_ms  int32
 *   results           [DeletableGroupResult]
 *     group_id        string
 *     error_code      int16
 * ```
 *
 * @example
 * deleteGroups.encodeRequest(1, { groupsNames: ['g'] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DeleteGroupsRequest = message({
  valid: '0-2',
  flexible: '2+',
  fields: [f.arrayOf('groupsNames', '0+', 'string')],
});
export type DeleteGroupsRequest = MessageOf<typeof DeleteGroupsRequest>;

export const DeleteGroupsResponse = message({
  valid: '0-2',
  flexible: '2+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('results', '0+', [f.string('groupId', '0+'), f.int16('errorCode', '0+')]),
  ],
});
export type DeleteGroupsResponse = MessageOf<typeof DeleteGroupsResponse>;

/** DeleteGroups, key 42. */
export const deleteGroups = api(42, 'DeleteGroups', DeleteGroupsRequest, DeleteGroupsResponse);
