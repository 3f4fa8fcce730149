/**
 * Metadata (key 3): brokers, topics and partition leaders. Versions 0-13, flexible from 9.
 *
 * ```
 * MetadataRequest
 *   topics                         [MetadataRequestTopic]    nullable v1+ (null = all topics)
 *     topic_id                     uuid                      v10+
 *     name                         string                    nullable v10+
 *   allow_auto_topic_creation      bool (default true)       v4+
 *   include_cluster_authorized_operations  bool              v8-10
 *   include_topic_authorized_operations    bool              v8+
 *
 * MetadataResponse
 *   throttle_time_ms               int32                     v3+
 *   brokers                        [MetadataResponseBroker]
 *     node_id                      int32
 *     host                         string
 *     port                         int32
 *     rack                         nullable string           v1+
 *   cluster_id                     nullable string           v2+
 *   controller_id                  int32 (default -1)        v1+
 *   topics                         [MetadataResponseTopic]
 *     error_code                   int16
 *     name                         string                    nullable v12+
 *     topic_id                     uuid                      v10+
 *     is_internal                  bool                      v1+
 *     partitions                   [MetadataResponsePartition]
 *       error_code                 int16
 *       partition_index            int32
 *       leader_id                  int32
 *       leader_epoch               int32 (default -1)        v7+
 *       replica_nodes              [int32]
 *       isr_nodes                  [int32]
 *       offline_replicas           [int32]                   v5+
 *     topic_authorized_operations  int32 (default INT32_MIN) v8+
 *   cluster_authorized_operations  int32 (default INT32_MIN) v8-10
 *   error_code                     int16                     v13+
 * ```
 * Flexible versions (9+) use compact strings/arrays and end every struct with tagged fields.
 *
 * @example
 * const body = metadata.encodeRequest(4, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

const NO_OPERATIONS = -2147483648;

export const MetadataRequest = message({
  valid: '0-13',
  flexible: '9+',
  fields: [
    f.narray('topics', '0+', '1+', [f.uuid('topicId', '10+'), f.nstring('name', '0+', '10+')]),
    f.bool('allowAutoTopicCreation', '4+', { default: true }),
    f.bool('includeClusterAuthorizedOperations', '8-10'),
    f.bool('includeTopicAuthorizedOperations', '8+'),
  ],
});
export type MetadataRequest = MessageOf<typeof MetadataRequest>;

export const MetadataResponse = message({
  valid: '0-13',
  flexible: '9+',
  fields: [
    f.int32('throttleTimeMs', '3+'),
    f.array('brokers', '0+', [
      f.int32('nodeId', '0+'),
      f.string('host', '0+'),
      f.int32('port', '0+'),
      f.nstring('rack', '1+', '1+'),
    ]),
    f.nstring('clusterId', '2+', '2+'),
    f.int32('controllerId', '1+', { default: -1 }),
    f.array('topics', '0+', [
      f.int16('errorCode', '0+'),
      f.nstring('name', '0+', '12+'),
      f.uuid('topicId', '10+'),
      f.bool('isInternal', '1+'),
      f.array('partitions', '0+', [
        f.int16('errorCode', '0+'),
        f.int32('partitionIndex', '0+'),
        f.int32('leaderId', '0+'),
        f.int32('leaderEpoch', '7+', { default: -1 }),
        f.arrayOf('replicaNodes', '0+', 'int32'),
        f.arrayOf('isrNodes', '0+', 'int32'),
        f.arrayOf('offlineReplicas', '5+', 'int32'),
      ]),
      f.int32('topicAuthorizedOperations', '8+', { default: NO_OPERATIONS }),
    ]),
    f.int32('clusterAuthorizedOperations', '8-10', { default: NO_OPERATIONS }),
    f.int16('errorCode', '13+'),
  ],
});
export type MetadataResponse = MessageOf<typeof MetadataResponse>;

/** Metadata, key 3. */
export const metadata = api(3, 'Metadata', MetadataRequest, MetadataResponse);
