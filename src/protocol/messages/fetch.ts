/**
 * Fetch (key 1): read record batches from partitions. Versions 0-17, flexible from 12. Records in
 * a response are the stored batches' raw bytes (a decoded response holds views into the frame).
 *
 * ```
 * FetchRequest
 *   cluster_id                  nullable string (default null)  v12+ tag 0
 *   replica_id                  int32 (default -1)              v0-14
 *   replica_state               ReplicaState                    v15+ tag 1
 *     replica_id                int32 (default -1)
 *     replica_epoch             int64 (default -1)
 *   max_wait_ms                 int32
 *   min_bytes                   int32
 *   max_bytes                   int32 (default 0x7fffffff)      v3+
 *   isolation_level             int8                            v4+
 *   session_id                  int32                           v7+
 *   session_epoch               int32 (default -1)              v7+
 *   topics                      [FetchTopic]
 *     topic                     string                          v0-12
 *     topic_id                  uuid                            v13+
 *     partitions                [FetchPartition]
 *       partition               int32
 *       current_leader_epoch    int32 (default -1)              v9+
 *       fetch_offset            int64
 *       last_fetched_epoch      int32 (default -1)              v12+
 *       log_start_offset        int64 (default -1)              v5+
 *       partition_max_bytes     int32
 *       replica_directory_id    uuid                            v17+ tag 0
 *   forgotten_topics_data       [ForgottenTopic]                v7+
 *     topic                     string                          v7-12
 *     topic_id                  uuid                            v13+
 *     partitions                [int32]
 *   rack_id                     string (default '')             v11+
 *
 * FetchResponse
 *   throttle_time_ms            int32                           v1+
 *   error_code                  int16                           v7+
 *   session_id                  int32                           v7+
 *   responses                   [FetchableTopicResponse]
 *     topic                     string                          v0-12
 *     topic_id                  uuid                            v13+
 *     partitions                [PartitionData]
 *       partition_index         int32
 *       error_code              int16
 *       high_watermark          int64
 *       last_stable_offset      int64 (default -1)              v4+
 *       log_start_offset        int64 (default -1)              v5+
 *       diverging_epoch         EpochEndOffset                  v12+ tag 0
 *         epoch                 int32 (default -1)
 *         end_offset            int64 (default -1)
 *       current_leader          LeaderIdAndEpoch                v12+ tag 1
 *         leader_id             int32 (default -1)
 *         leader_epoch          int32 (default -1)
 *       snapshot_id             SnapshotId                      v12+ tag 2
 *         end_offset            int64 (default -1)
 *         epoch                 int32 (default -1)
 *       aborted_transactions    [AbortedTransaction]            v4+, nullable
 *         producer_id           int64
 *         first_offset          int64
 *       preferred_read_replica  int32 (default -1)              v11+
 *       records                 nullable records
 *   node_endpoints              [NodeEndpoint]                  v16+ tag 0
 *     node_id                   int32
 *     host                      string
 *     port                      int32
 *     rack                      nullable string
 * ```
 *
 * @example
 * const req = fetch.decodeRequest(11, body);
 * req.topics[0]?.partitions[0]?.fetchOffset;
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const FetchRequest = message({
  valid: '0-17',
  flexible: '12+',
  fields: [
    f.nstring('clusterId', '12+', '12+', { tag: 0, default: null }),
    f.int32('replicaId', '0-14', { default: -1 }),
    f.struct(
      'replicaState',
      '15+',
      [f.int32('replicaId', '15+', { default: -1 }), f.int64('replicaEpoch', '15+', { default: -1 })],
      { tag: 1 },
    ),
    f.int32('maxWaitMs', '0+'),
    f.int32('minBytes', '0+'),
    f.int32('maxBytes', '3+', { default: 0x7fffffff }),
    f.int8('isolationLevel', '4+'),
    f.int32('sessionId', '7+'),
    f.int32('sessionEpoch', '7+', { default: -1 }),
    f.array('topics', '0+', [
      f.string('topic', '0-12'),
      f.uuid('topicId', '13+'),
      f.array('partitions', '0+', [
        f.int32('partition', '0+'),
        f.int32('currentLeaderEpoch', '9+', { default: -1 }),
        f.int64('fetchOffset', '0+'),
        f.int32('lastFetchedEpoch', '12+', { default: -1 }),
        f.int64('logStartOffset', '5+', { default: -1 }),
        f.int32('partitionMaxBytes', '0+'),
        f.uuid('replicaDirectoryId', '17+', { tag: 0 }),
      ]),
    ]),
    f.array('forgottenTopicsData', '7+', [
      f.string('topic', '7-12'),
      f.uuid('topicId', '13+'),
      f.arrayOf('partitions', '7+', 'int32'),
    ]),
    f.string('rackId', '11+'),
  ],
});
export type FetchRequest = MessageOf<typeof FetchRequest>;

export const FetchResponse = message({
  valid: '0-17',
  flexible: '12+',
  fields: [
    f.int32('throttleTimeMs', '1+'),
    f.int16('errorCode', '7+'),
    f.int32('sessionId', '7+'),
    f.array('responses', '0+', [
      f.string('topic', '0-12'),
      f.uuid('topicId', '13+'),
      f.array('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int16('errorCode', '0+'),
        f.int64('highWatermark', '0+'),
        f.int64('lastStableOffset', '4+', { default: -1 }),
        f.int64('logStartOffset', '5+', { default: -1 }),
        f.struct(
          'divergingEpoch',
          '12+',
          [f.int32('epoch', '12+', { default: -1 }), f.int64('endOffset', '12+', { default: -1 })],
          { tag: 0 },
        ),
        f.struct(
          'currentLeader',
          '12+',
          [f.int32('leaderId', '12+', { default: -1 }), f.int32('leaderEpoch', '12+', { default: -1 })],
          { tag: 1 },
        ),
        f.struct(
          'snapshotId',
          '12+',
          [f.int64('endOffset', '0+', { default: -1 }), f.int32('epoch', '0+', { default: -1 })],
          { tag: 2 },
        ),
        f.narray('abortedTransactions', '4+', '4+', [f.int64('producerId', '4+'), f.int64('firstOffset', '4+')]),
        f.int32('preferredReadReplica', '11+', { default: -1 }),
        f.nrecords('records', '0+', '0+'),
      ]),
    ]),
    f.array(
      'nodeEndpoints',
      '16+',
      [f.int32('nodeId', '16+'), f.string('host', '16+'), f.int32('port', '16+'), f.nstring('rack', '16+', '16+')],
      { tag: 0 },
    ),
  ],
});
export type FetchResponse = MessageOf<typeof FetchResponse>;

/** Fetch, key 1. */
export const fetch = api(1, 'Fetch', FetchRequest, FetchResponse);
