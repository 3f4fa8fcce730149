/**
 * SyncGroup (key 14): the leader hands out assignments, every member gets its own. Versions 0-5,
 * flexible from 4.
 *
 * ```
 * SyncGroupRequest
 *   group_id            string
 *   generation_id       int32
 *   member_id           string
 *   group_instance_id   nullable string                 v3+
 *   protocol_type       nullable string                 v5+
 *   protocol_name       nullable string                 v5+
 *   assignments         [SyncGroupRequestAssignment]
 *     member_id         string
 *     assignment        bytes
 *
 * SyncGroupResponse
 *   throttle_time_ms    int32                           v1+
 *   error_code          int16
 *   protocol_type       nullable string                 v5+
 *   protocol_name       nullable string                 v5+
 *   assignment          bytes
 * ```
 *
 * @example
 * syncGroup.decodeResponse(3, body).assignment; // the member's opaque assignment bytes
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const SyncGroupRequest = message({
  valid: '0-5',
  flexible: '4+',
  fields: [
    f.string('groupId', '0+'),
    f.int32('generationId', '0+'),
    f.string('memberId', '0+'),
    f.nstring('groupInstanceId', '3+', '3+'),
    f.nstring('protocolType', '5+', '5+'),
    f.nstring('protocolName', '5+', '5+'),
    f.array('assignments', '0+', [f.string('memberId', '0+'), f.bytes('assignment', '0+')]),
  ],
});
export type SyncGroupRequest = MessageOf<typeof SyncGroupRequest>;

export const SyncGroupResponse = message({
  valid: '0-5',
  flexible: '4+',
  fields: [
    f.int32('throttleTimeMs', '1+'),
    f.int16('errorCode', '0+'),
    f.nstring('protocolType', '5+', '5+'),
    f.nstring('protocolName', '5+', '5+'),
    f.bytes('assignment', '0+'),
  ],
});
export type SyncGroupResponse = MessageOf<typeof SyncGroupResponse>;

/** SyncGroup, key 14. */
export const syncGroup = api(14, 'SyncGroup', SyncGroupRequest, SyncGroupResponse);
