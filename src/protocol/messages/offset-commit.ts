/**
 * OffsetCommit (key 8): a group commits consumed offsets. Versions 0-9, flexible from 8.
 *
 * ```
 * OffsetCommitRequest
 *   group_id                        string
 *   generation_id_or_member_epoch   int32 (default -1)     v1+
 *   member_id                       string                 v1+
 *   group_instance_id               nullable string        v7+
 *   retention_time_ms               int64 (default -1)     v2-4
 *   topics                          [OffsetCommitRequestTopic]
 *     name                          string
 *     partitions                    [OffsetCommitRequestPartition]
 *       partition_index             int32
 *       committed_offset            int64
 *       committed_leader_epoch      int32 (default -1)     v6+
 *       commit_timestamp            int64 (default -1)     v1
 *       committed_metadata          nullable string
 *
 * OffsetCommitResponse
 *   throttle_time_ms                int32                  v3+
 *   topics                          [OffsetCommitResponseTopic]
 *     name                          string
 *     partitions                    [OffsetCommitResponsePartition]
 *       partition_index             int32
 *       error_code                  int16
 * ```
 *
 * @example
 * const req = offsetCommit.decodeRequest(7, body);
 * req.topics[0]?.partitions[0]?.committedMetadata; // stored and returned by OffsetFetch
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const OffsetCommitRequest = message({
  valid: '0-9',
  flexible: '8+',
  fields: [
    f.string('groupId', '0+'),
    f.int32('generationIdOrMemberEpoch', '1+', { default: -1 }),
    f.string('memberId', '1+'),
    f.nstring('groupInstanceId', '7+', '7+'),
    f.int64('retentionTimeMs', '2-4', { default: -1 }),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int64('committedOffset', '0+'),
        f.int32('committedLeaderEpoch', '6+', { default: -1 }),
        f.int64('commitTimestamp', '1', { default: -1 }),
        f.nstring('committedMetadata', '0+', '0+'),
      ]),
    ]),
  ],
});
export type OffsetCommitRequest = MessageOf<typeof OffsetCommitRequest>;

export const OffsetCommitResponse = message({
  valid: '0-9',
  flexible: '8+',
  fields: [
    f.int32('throttleTimeMs', '3+'),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+')]),
    ]),
  ],
});
export type OffsetCommitResponse = MessageOf<typeof OffsetCommitResponse>;

/** OffsetCommit, key 8. */
export const offsetCommit = api(8, 'OffsetCommit', OffsetCommitRequest, OffsetCommitResponse);
