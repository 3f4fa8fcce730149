/**
 * TxnOffsetCommit (key 28): offsets committed inside a transaction, visible when it commits.
 * Versions 0-5, flexible from 3 (v5, Kafka 4.0, is v4 under KIP-890's transaction checks).
 *
 * ```
 * TxnOffsetCommitRequest
 *   transactional_id           string
 *   group_id                   string
 *   producer_id                int64
 *   producer_epoch             int16
 *   generation_id              int32 (default -1)    v3+
 *   member_id                  string (default '')   v3+
 *   group_instance_id          nullable string       v3+
 *   topics                     [TxnOffsetCommitRequestTopic]
 *     name                     string
 *     partitions               [TxnOffsetCommitRequestPartition]
 *       partition_index        int32
 *       committed_offset       int64
 *       committed_leader_epoch int32 (default -1)    v2+
 *       committed_metadata     nullable string
 *
 * TxnOffsetCommitResponse
 *   throttle_time_ms           int32
 *   topics                     [TxnOffsetCommitResponseTopic]
 *     name                     string
 *     partitions               [TxnOffsetCommitResponsePartition]
 *       partition_index        int32
 *       error_code             int16
 * ```
 *
 * @example
 * txnOffsetCommit.encodeRequest(1, { transactionalId: 'tx', groupId: 'g', producerId: 1, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, topics: [] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const TxnOffsetCommitRequest = message({
  valid: '0-5',
  flexible: '3+',
  fields: [
    f.string('transactionalId', '0+'),
    f.string('groupId', '0+'),
    f.int64('producerId', '0+'),
    f.int16('producerEpoch', '0+'),
    f.int32('generationId', '3+', { default: -1 }),
    f.string('memberId', '3+'),
    f.nstring('groupInstanceId', '3+', '3+'),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int64('committedOffset', '0+'),
        f.int32('committedLeaderEpoch', '2+', { default: -1 }),
        f.nstring('committedMetadata', '0+', '0+'),
      ]),
    ]),
  ],
});
export type TxnOffsetCommitRequest = MessageOf<typeof TxnOffsetCommitRequest>;

export const TxnOffsetCommitResponse = message({
  valid: '0-5',
  flexible: '3+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [f.int32('partitionIndex', '0+'), f.int16('errorCode', '0+')]),
    ]),
  ],
});
export type TxnOffsetCommitResponse = MessageOf<typeof TxnOffsetCommitResponse>;

/** TxnOffsetCommit, key 28. */
export const txnOffsetCommit = api(28, 'TxnOffsetCommit', TxnOffsetCommitRequest, TxnOffsetCommitResponse);
