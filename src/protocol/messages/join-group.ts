/**
 * JoinGroup (key 11): a member joins a classic consumer group. Versions 0-9, flexible from 6.
 *
 * ```
 * JoinGroupRequest
 *   group_id               string
 *   session_timeout_ms     int32
 *   rebalance_timeout_ms   int32 (default -1)           v1+
 *   member_id              string
 *   group_instance_id      nullable string              v5+
 *   protocol_type          string
 *   protocols              [JoinGroupRequestProtocol]
 *     name                 string
 *     metadata             bytes
 *   reason                 nullable string              v8+
 *
 * JoinGroupResponse
 *   throttle_time_ms       int32                        v2+
 *   error_code             int16
 *   generation_id          int32 (default -1)
 *   protocol_type          nullable string              v7+
 *   protocol_name          string, nullable v7+
 *   leader                 string
 *   skip_assignment        bool                         v9+
 *   member_id              string
 *   members                [JoinGroupResponseMember]
 *     member_id            string
 *     group_instance_id    nullable string              v5+
 *     metadata             bytes
 * ```
 *
 * @example
 * const req = joinGroup.decodeRequest(5, body);
 * req.protocols.map((p) => p.name); // ['RoundRobinAssigner']
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const JoinGroupRequest = message({
  valid: '0-9',
  flexible: '6+',
  fields: [
    f.string('groupId', '0+'),
    f.int32('sessionTimeoutMs', '0+'),
    f.int32('rebalanceTimeoutMs', '1+', { default: -1 }),
    f.string('memberId', '0+'),
    f.nstring('groupInstanceId', '5+', '5+'),
    f.string('protocolType', '0+'),
    f.array('protocols', '0+', [f.string('name', '0+'), f.bytes('metadata', '0+')]),
    f.nstring('reason', '8+', '8+'),
  ],
});
export type JoinGroupRequest = MessageOf<typeof JoinGroupRequest>;

export const JoinGroupResponse = message({
  valid: '0-9',
  flexible: '6+',
  fields: [
    f.int32('throttleTimeMs', '2+'),
    f.int16('errorCode', '0+'),
    f.int32('generationId', '0+', { default: -1 }),
    f.nstring('protocolType', '7+', '7+'),
    f.nstring('protocolName', '0+', '7+'),
    f.string('leader', '0+'),
    f.bool('skipAssignment', '9+'),
    f.string('memberId', '0+'),
    f.array('members', '0+', [
      f.string('memberId', '0+'),
      f.nstring('groupInstanceId', '5+', '5+'),
      f.bytes('metadata', '0+'),
    ]),
  ],
});
export type JoinGroupResponse = MessageOf<typeof JoinGroupResponse>;

/** JoinGroup, key 11. */
export const joinGroup = api(11, 'JoinGroup', JoinGroupRequest, JoinGroupResponse);
