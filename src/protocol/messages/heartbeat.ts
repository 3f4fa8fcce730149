/**
 * Heartbeat (key 12): a group member says it is alive. Versions 0-4, flexible from 4.
 *
 * ```
 * HeartbeatRequest
 *   group_id            string
 *   generation_id       int32
 *   member_id           string
 *   group_instance_id   nullable string   v3+
 *
 * HeartbeatResponse
 *   throttle_time_ms    int32             v1+
 *   error_code          int16
 * ```
 *
 * @example
 * heartbeat.encodeRequest(3, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const HeartbeatRequest = message({
  valid: '0-4',
  flexible: '4+',
  fields: [
    f.string('groupId', '0+'),
    f.int32('generationId', '0+'),
    f.string('memberId', '0+'),
    f.nstring('groupInstanceId', '3+', '3+'),
  ],
});
export type HeartbeatRequest = MessageOf<typeof HeartbeatRequest>;

export const HeartbeatResponse = message({
  valid: '0-4',
  flexible: '4+',
  fields: [f.int32('throttleTimeMs', '1+'), f.int16('errorCode', '0+')],
});
export type HeartbeatResponse = MessageOf<typeof HeartbeatResponse>;

/** Heartbeat, key 12. */
export const heartbeat = api(12, 'Heartbeat', HeartbeatRequest, HeartbeatResponse);
