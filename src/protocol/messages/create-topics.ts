/**
 * CreateTopics (key 19). Versions 0-7, flexible from 5.
 *
 * ```
 * CreateTopicsRequest
 *   topics                    [CreatableTopic]
 *     name                    string
 *     num_partitions          int32 (-1 = broker default)
 *     replication_factor      int16 (-1 = broker default)
 *     assignments             [CreatableReplicaAssignment]
 *       partition_index       int32
 *       broker_ids            [int32]
 *     configs                 [CreatableTopicConfig]
 *       name                  string
 *       value                 nullable string
 *   timeout_ms                int32 (default 60000)
 *   validate_only             bool                      v1+
 *
 * CreateTopicsResponse
 *   throttle_time_ms          int32                     v2+
 *   topics                    [CreatableTopicResult]
 *     name                    string
 *     topic_id                uuid                      v7+
 *     error_code              int16
 *     error_message           nullable string           v1+
 *     topic_config_error_code int16                     v5+ tag 0
 *     num_partitions          int32 (default -1)        v5+
 *     replication_factor      int16 (default -1)        v5+
 *     configs                 [CreatableTopicConfigs]   v5+, nullable
 *       name                  string
 *       value                 nullable string
 *       read_only             bool
 *       config_source         int8 (default -1)
 *       is_sensitive          bool
 * ```
 *
 * @example
 * createTopics.encodeRequest(3, { topics: [{ name: 't', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const CreateTopicsRequest = message({
  valid: '0-7',
  flexible: '5+',
  fields: [
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.int32('numPartitions', '0+'),
      f.int16('replicationFactor', '0+'),
      f.array('assignments', '0+', [f.int32('partitionIndex', '0+'), f.arrayOf('brokerIds', '0+', 'int32')]),
      f.array('configs', '0+', [f.string('name', '0+'), f.nstring('value', '0+', '0+')]),
    ]),
    f.int32('timeoutMs', '0+', { default: 60000 }),
    f.bool('validateOnly', '1+'),
  ],
});
export type CreateTopicsRequest = MessageOf<typeof CreateTopicsRequest>;

export const CreateTopicsResponse = message({
  valid: '0-7',
  flexible: '5+',
  fields: [
    f.int32('throttleTimeMs', '2+'),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.uuid('topicId', '7+'),
      f.int16('errorCode', '0+'),
      f.nstring('errorMessage', '1+', '0+'),
      f.int16('topicConfigErrorCode', '5+', { tag: 0 }),
      f.int32('numPartitions', '5+', { default: -1 }),
      f.int16('replicationFactor', '5+', { default: -1 }),
      f.narray('configs', '5+', '5+', [
        f.string('name', '5+'),
        f.nstring('value', '5+', '5+'),
        f.bool('readOnly', '5+'),
        f.int8('configSource', '5+', { default: -1 }),
        f.bool('isSensitive', '5+'),
      ]),
    ]),
  ],
});
export type CreateTopicsResponse = MessageOf<typeof CreateTopicsResponse>;

/** CreateTopics, key 19. */
export const createTopics = api(19, 'CreateTopics', CreateTopicsRequest, CreateTopicsResponse);
