/**
 * DescribeProducers (key 61): the active idempotent/transactional producers of partitions. Version 0,
 * flexible.
 *
 * ```
 * DescribeProducersRequest
 *   topics                        [TopicRequest]
 *     name                        string
 *     partition_indexes           [int32]
 *
 * DescribeProducersResponse
 *   throttle_time_ms              int32
 *   topics                        [TopicResponse]
 *     name                        string
 *     partitions                  [PartitionResponse]
 *       partition_index           int32
 *       error_code                int16
 *       error_message             nullable string
 *       active_producers          [ProducerState]
 *         producer_id             int64
 *         producer_epoch          int32
 *         last_sequence           int32 (default -1)
 *         last_timestamp          int64 (default -1)
 *         coordinator_epoch       int32
 *         current_txn_start_offset  int64 (default -1)
 * ```
 *
 * @example
 * describeProducers.encodeRequest(0, { topics: [{ name: 't', partitionIndexes: [0] }] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DescribeProducersRequest = message({
  valid: '0',
  flexible: '0+',
  fields: [f.array('topics', '0+', [f.string('name', '0+'), f.arrayOf('partitionIndexes', '0+', 'int32')])],
});
export type DescribeProducersRequest = MessageOf<typeof DescribeProducersRequest>;

export const DescribeProducersResponse = message({
  valid: '0',
  flexible: '0+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('topics', '0+', [
      f.string('name', '0+'),
      f.array('partitions', '0+', [
        f.int32('partitionIndex', '0+'),
        f.int16('errorCode', '0+'),
        f.nstring('errorMessage', '0+', '0+'),
        f.array('activeProducers', '0+', [
          f.int64('producerId', '0+'),
          f.int32('producerEpoch', '0+'),
          f.int32('lastSequence', '0+', { default: -1 }),
          f.int64('lastTimestamp', '0+', { default: -1 }),
          f.int32('coordinatorEpoch', '0+'),
          f.int64('currentTxnStartOffset', '0+', { default: -1 }),
        ]),
      ]),
    ]),
  ],
});
export type DescribeProducersResponse = MessageOf<typeof DescribeProducersResponse>;

/** DescribeProducers, key 61. */
export const describeProducers = api(61, 'DescribeProducers', DescribeProducersRequest, DescribeProducersResponse);
