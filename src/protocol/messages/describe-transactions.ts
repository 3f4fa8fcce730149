/**
 * DescribeTransactions (key 65): the state of transactional ids. Version 0, flexible.
 *
 * ```
 * DescribeTransactionsRequest
 *   transactional_ids           [string]
 *
 * DescribeTransactionsResponse
 *   throttle_time_ms            int32
 *   transaction_states          [TransactionState]
 *     error_code                int16
 *     transactional_id          string
 *     transaction_state         string
 *     transaction_timeout_ms    int32
 *     transaction_start_time_ms int64
 *     producer_id               int64
 *     producer_epoch            int16
 *     topics                    [TopicData]
 *       topic                   string
 *       partitions              [int32]
 * ```
 *
 * @example
 * describeTransactions.encodeRequest(0, { transactionalIds: ['tx'] });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DescribeTransactionsRequest = message({
  valid: '0',
  flexible: '0+',
  fields: [f.arrayOf('transactionalIds', '0+', 'string')],
});
export type DescribeTransactionsRequest = MessageOf<typeof DescribeTransactionsRequest>;

export const DescribeTransactionsResponse = message({
  valid: '0',
  flexible: '0+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.array('transactionStates', '0+', [
      f.int16('errorCode', '0+'),
      f.string('transactionalId', '0+'),
      f.string('transactionState', '0+'),
      f.int32('transactionTimeoutMs', '0+'),
      f.int64('transactionStartTimeMs', '0+'),
      f.int64('producerId', '0+'),
      f.int16('producerEpoch', '0+'),
      f.array('topics', '0+', [f.string('topic', '0+'), f.arrayOf('partitions', '0+', 'int32')]),
    ]),
  ],
});
export type DescribeTransactionsResponse = MessageOf<typeof DescribeTransactionsResponse>;

/** DescribeTransactions, key 65. */
export const describeTransactions = api(
  65,
  'DescribeTransactions',
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
);
