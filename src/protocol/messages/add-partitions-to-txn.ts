/**
 * AddPartitionsToTxn (key 24): a transactional producer adds partitions to its transaction.
 * Versions 0-5, flexible from 3. v4+ is the batched form brokers send each other (KIP-890): several
 * transactions in one request, `verify_only` to check without adding. Clients use v0-3.
 *
 * ```
 * AddPartitionsToTxnRequest
 *   transactions                      [AddPartitionsToTxnTransaction]  v4+
 *     transactional_id                string
 *     producer_id                     int64
 *     producer_epoch                  int16
 *     verify_only                     bool
 *     topics                          [AddPartitionsToTxnTopic]
 *   v3_and_below_transactional_id     string                           v0-3
 *   v3_and_below_producer_id          int64                            v0-3
 *   v3_and_below_producer_epoch       int16                            v0-3
 *   v3_and_below_topics               [AddPartitionsToTxnTopic]        v0-3
 * AddPartitionsToTxnTopic
 *   name                              string
 *   partitions                        [int32]
 *
 * AddPartitionsToTxnResponse
 *   throttle_time_ms                  int32
 *   error_code                        int16                            v4+
 *   results_by_transaction            [AddPartitionsToTxnResult]       v4+
 *     transactional_id                string
 *     topic_results                   [AddPartitionsToTxnTopicResult]
 *   results_by_topic_v3_and_below     [AddPartitionsToTxnTopicResult]  v0-3
 * AddPartitionsToTxnTopicResult
 *   name                              string
 *   results_by_partition              [AddPartitionsToTxnPartitionResult]
 *     partition_index                 int32
 *     partition_error_code            int16
 * ```
 *
 * @example
 * addPartitionsToTxn.encodeRequest(1, { transactions: [], v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: 1, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 't', partitions: [0] }] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

const topic = [f.string('name', '0+'), f.arrayOf('partitions', '0+', 'int32')] as const;
const topicResult = [
  f.string('name', '0+'),
  f.array('resultsByPartition', '0+', [f.int32('partitionIndex', '0+'), f.int16('partitionErrorCode', '0+')]),
] as const;

export const AddPartitionsToTxnRequest = message({
  valid: '0-5',
  flexible: '3+',
  fields: [
    f.array('transactions', '4+', [
      f.string('transactionalId', '4+'),
      f.int64('producerId', '4+'),
      f.int16('producerEpoch', '4+'),
      f.bool('verifyOnly', '4+'),
      f.array('topics', '4+', topic),
    ]),
    f.string('v3AndBelowTransactionalId', '0-3'),
    f.int64('v3AndBelowProducerId', '0-3'),
    f.int16('v3AndBelowProducerEpoch', '0-3'),
    f.array('v3AndBelowTopics', '0-3', topic),
  ],
});
export type AddPartitionsToTxnRequest = MessageOf<typeof AddPartitionsToTxnRequest>;

export const AddPartitionsToTxnResponse = message({
  valid: '0-5',
  flexible: '3+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '4+'),
    f.array('resultsByTransaction', '4+', [
      f.string('transactionalId', '4+'),
      f.array('topicResults', '4+', topicResult),
    ]),
    f.array('resultsByTopicV3AndBelow', '0-3', topicResult),
  ],
});
export type AddPartitionsToTxnResponse = MessageOf<typeof AddPartitionsToTxnResponse>;

/** AddPartitionsToTxn, key 24. */
export const addPartitionsToTxn = api(24, 'AddPartitionsToTxn', AddPartitionsToTxnRequest, AddPartitionsToTxnResponse);
