/**
 * DeleteTopics (key 20). Versions 0-6, flexible from 4; v6 names topics by name or id.
 *
 * ```
 * DeleteTopicsRequest
 *   topics            [DeleteTopicState]  v6+
 *     name            nullable string
 *     topic_id        uuid
 *   topic_names       [string]            v0-5
 *   timeout_ms        int32
 *
 * DeleteTopicsResponse
 *   throttle_time_ms  int32               v1+
 *   responses         [DeletableTopicResult]
 *     name            string, nullable v6+
 *     topic_id        uuid                v6+
 *     error_code      int16
 *     error_message   nullable string     v5+
 * ```
 *
 * @example
 * deleteTopics.encodeRequest(1, { topics: [], topicNames: ['t'], timeoutMs: 5000 });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DeleteTopicsRequest = message({
  valid: '0-6',
  flexible: '4+',
  fields: [
    f.array('topics', '6+', [f.nstring('name', '6+', '6+'), f.uuid('topicId', '6+')]),
    f.arrayOf('topicNames', '0-5', 'string'),
    f.int32('timeoutMs', '0+'),
  ],
});
export type DeleteTopicsRequest = MessageOf<typeof DeleteTopicsRequest>;

export const DeleteTopicsResponse = message({
  valid: '0-6',
  flexible: '4+',
  fields: [
    f.int32('throttleTimeMs', '1+'),
    f.array('responses', '0+', [
      f.nstring('name', '0+', '6+'),
      f.uuid('topicId', '6+'),
      f.int16('errorCode', '0+'),
      f.nstring('errorMessage', '5+', '5+'),
    ]),
  ],
});
export type DeleteTopicsResponse = MessageOf<typeof DeleteTopicsResponse>;

/** DeleteTopics, key 20. */
export const deleteTopics = api(20, 'DeleteTopics', DeleteTopicsRequest, DeleteTopicsResponse);
