/**
 * OffsetFetch (key 9): a group's committed offsets. Versions 0-9, flexible from 6; v8+ asks for
 * several groups at once.
 *
 * ```
 * OffsetFetchRequest
 *   group_id                    string                    v0-7
 *   topics                      [OffsetFetchRequestTopic] v0-7, nullable v2-7 (null = all)
 *     name                      string
 *     partition_indexes         [int32]
 *   groups                      [OffsetFetchRequestGroup] v8+
 *     group_id                  string
 *     member_id                 nullable string           v9+
 *     member_epoch              int32 (default -1)        v9+
 *     topics                    [OffsetFetchRequestTopics] nullable
 *       name                    string
 *       partition_indexes       [int32]
 *   require_stable              bool                      v7+
 *
 * OffsetFetchResponse
 *   throttle_time_ms            int32                     v3+
 *   topics                      [OffsetFetchResponseTopic] v0-7
 *     name                      string
 *     partitions                [OffsetFetchResponsePartition]
 *       partition_index         int32
 *       committed_offset        int64
 *       committed_leader_epoch  int32 (default -1)        v5-7
 *       metadata                nullable string
 *       error_code              int16
 *   error_code                  int16                     v2-7
 *   groups                      [OffsetFetchResponseGroup] v8+
 *     group_id                  string
 *     topics                    [OffsetFetchResponseTopics]
 *       name                    string
 *       partitions              [OffsetFetchResponsePartitions]
 *         partition_index       int32
 *         committed_offset      int64
 *         committed_leader_epoch  int32 (default -1)
 *         metadata              nullable string
 *         error_code            int16
 *     error_code                int16
 * ```
 *
 * @example
 * offsetFetch.encodeRequest(4, { groupId: 'g', topics: null, groups: [], requireStable: false });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const OffsetFetchRequest = message({
  valid: '0-9',
  flexible: '6+',
  fields: [
    f.string('groupId', '0-7'),
    f.narray('topics', '0-7', '2-7', [f.string('name', '0-7'), f.arrayOf('partitionIndexes', '0-7', 'int32')]),
    f.array('groups', '8+', [
      f.string('groupId', '8+'),
      f.nstring('memberId', '9+', '9+'),
      f.int32('memberEpoch', '9+', { default: -1 }),
      f.narray('topics', '8+', '8+', [f.string('name', '8+'), f.arrayOf('partitionIndexes', '8+', 'int32')]),
    ]),
    f.bool('requireStable', '7+'),
  ],
});
export type OffsetFetchRequest = MessageOf<typeof OffsetFetchRequest>;

export const OffsetFetchResponse = message({
  valid: '0-9',
  flexible: '6+',
  fields: [
    f.int32('throttleTimeMs', '3+'),
    f.array('topics', '0-7', [
      f.string('name', '0-7'),
      f.array('partitions', '0-7', [
        f.int32('partitionIndex', '0-7'),
        f.int64('committedOffset', '0-7'),
        f.int32('committedLeaderEpoch', '5-7', { default: -1 }),
        f.nstring('metadata', '0-7', '0-7'),
        f.int16('errorCode', '0-7'),
      ]),
    ]),
    f.int16('errorCode', '2-7'),
    f.array('groups', '8+', [
      f.string('groupId', '8+'),
      f.array('topics', '8+', [
        f.string('name', '8+'),
        f.array('partitions', '8+', [
          f.int32('partitionIndex', '8+'),
          f.int64('committedOffset', '8+'),
          f.int32('committedLeaderEpoch', '8+', { default: -1 }),
          f.nstring('metadata', '8+', '8+'),
          f.int16('errorCode', '8+'),
        ]),
      ]),
      f.int16('errorCode', '8+'),
    ]),
  ],
});
export type OffsetFetchResponse = MessageOf<typeof OffsetFetchResponse>;

/** OffsetFetch, key 9. */
export const offsetFetch = api(9, 'OffsetFetch', OffsetFetchRequest, OffsetFetchResponse);
