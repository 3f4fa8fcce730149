/**
 * LeaveGroup (key 13): members leave a group. Versions 0-5, flexible from 4; v3+ names several
 * members (static members by instance id).
 *
 * ```
 * LeaveGroupRequest
 *   group_id              string
 *   member_id             string              v0-2
 *   members               [MemberIdentity]    v3+
 *     member_id           string
 *     group_instance_id   nullable string
 *     reason              nullable string     v5+
 *
 * LeaveGroupResponse
 *   throttle_time_ms      int32               v1+
 *   error_code            int16
 *   members               [MemberResponse]    v3+
 *     member_id           string
 *     group_instance_id   nullable string
 *     error_code          int16
 * ```
 *
 * @example
 * leaveGroup.encodeRequest(1, { groupId: 'g', memberId: 'm', members: [] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const LeaveGroupRequest = message({
  valid: '0-5',
  flexible: '4+',
  fields: [
    f.string('groupId', '0+'),
    f.string('memberId', '0-2'),
    f.array('members', '3+', [
      f.string('memberId', '3+'),
      f.nstring('groupInstanceId', '3+', '3+'),
      f.nstring('reason', '5+', '5+'),
    ]),
  ],
});
export type LeaveGroupRequest = MessageOf<typeof LeaveGroupRequest>;

export const LeaveGroupResponse = message({
  valid: '0-5',
  flexible: '4+',
  fields: [
    f.int32('throttleTimeMs', '1+'),
    f.int16('errorCode', '0+'),
    f.array('members', '3+', [
      f.string('memberId', '3+'),
      f.nstring('groupInstanceId', '3+', '3+'),
      f.int16('errorCode', '3+'),
    ]),
  ],
});
export type LeaveGroupResponse = MessageOf<typeof LeaveGroupResponse>;

/** LeaveGroup, key 13. */
export const leaveGroup = api(13, 'LeaveGroup', LeaveGroupRequest, LeaveGroupResponse);
