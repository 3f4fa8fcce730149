/**
 * ListOffsets (key 2): the offset for a timestamp (-1 latest, -2 earliest, -3 max timestamp, -4
 * local log start, -5 tiered). Versions 0-10, flexible from 6.
 *
 * ```
 * ListOffsetsRequest
 *   replica_id                int32
 *   isolation_level           int8                      v2+
 *   topics                    [ListOffsetsTopic]
 *     name                    string
 *     partitions              [ListOffsetsPartition]
 *       partition_index       int32
 *       current_leader_epoch  int32 (default -1)        v4+
 *       timestamp             int64
 *       max_num_offsets       int32 (default 1)         v0
 *   timeout_ms                int32                     v10+
 *
 * ListOffsetsResponse
 *   throttle_time_ms          int32                     v2+
 *   topics                    [ListOffsetsTopicResponse]
 *     name                    string
 *     partitions              [ListOffsetsPartitionResponse]
 *       partition_index       int32
 *       error_code            int16
 *       old_style_offsets     [int64]                   v0
 *       timestamp             int64 (default -1)        v1+
 *       offset                int64 (default -1)        v1+
 *       leader_epoch          int32 (default -1)        v4+
 * ```
 *
 * @example
 * listOffsets.encodeRequest(2, { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }], timeoutMs: 0 });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const ListOffsetsRequest = message({
  valid: '0-10',
  flexible: '6+',
  fields: [
    f.int32('replicaId', '0+'),
    f.int8('isolationLevel', '2+'),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int32('currentLeaderEpoch', '4+', { default: -1 }),
        f.int64('timestamp', '0+'),
        f.int32('maxNumOffsets', '0', { default: 1 }),
      ]),
    ]),
    f.int32('timeoutMs', '10+'),
  ],
});
export type ListOffsetsRequest = MessageOf<typeof ListOffsetsRequest>;

export const ListOffsetsResponse = message({
  valid: '0-10',
  flexible: '6+',
  fields: [
    f.int32('throttleTimeMs', '2+'),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int16('errorCode', '0+'),
        f.arrayOf('oldStyleOffsets', '0', 'int64'),
        f.int64('timestamp', '1+', { default: -1 }),
        f.int64('offset', '1+', { default: -1 }),
        f.int32('leaderEpoch', '4+', { default: -1 }),
      ]),
    ]),
  ],
});
export type ListOffsetsResponse = MessageOf<typeof ListOffsetsResponse>;

/** ListOffsets, key 2. */
export const listOffsets = api(2, 'ListOffsets', ListOffsetsRequest, ListOffsetsResponse);
