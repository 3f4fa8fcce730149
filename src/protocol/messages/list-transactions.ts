/**
 * ListTransactions (key 66): transactional ids, filtered by state, producer id and (v1) how long
 * they have been open. Versions 0-1, flexible in all.
 *
 * ```
 * ListTransactionsRequest
 *   state_filters          [string]
 *   producer_id_filters    [int64]
 *   duration_filter        int64 (default -1)   v1+
 *
 * ListTransactionsResponse
 *   throttle_time_ms       int32
 *   error_code             int16
 *   unknown_state_filters  [string]
 *   transaction_states     [TransactionState]
 *     transactional_id     string
 *     producer_id          int64
 *     transaction_state    string
 * ```
 *
 * @example
 * listTransactions.encodeRequest(1, { stateFilters: ['Ongoing'], producerIdFilters: [], durationFilter: -1 });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const ListTransactionsRequest = message({
  valid: '0-1',
  flexible: '0+',
  fields: [
    f.arrayOf('stateFilters', '0+', 'string'),
    f.arrayOf('producerIdFilters', '0+', 'int64'),
    f.int64('durationFilter', '1+', { default: -1 }),
  ],
});
export type ListTransactionsRequest = MessageOf<typeof ListTransactionsRequest>;

export const ListTransactionsResponse = message({
  valid: '0-1',
  flexible: '0+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.arrayOf('unknownStateFilters', '0+', 'string'),
    f.array('transactionStates', '0+', [
      f.string('transactionalId', '0+'),
      f.int64('producerId', '0+'),
      f.string('transactionState', '0+'),
    ]),
  ],
});
export type ListTransactionsResponse = MessageOf<typeof ListTransactionsResponse>;

/** ListTransactions, key 66. */
export const listTransactions = api(66, 'ListTransactions', ListTransactionsRequest, ListTransactionsResponse);
