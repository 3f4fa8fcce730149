/**
 * AddOffsetsToTxn (key 25): a transactional producer adds a group's offsets to its transaction.
 * Versions 0-4, flexible from 3.
 *
 * ```
 * AddOffsetsToTxnRequest
 *   transactional_id  string
 *   producer_id       int64
 *   producer_epoch    int16
 *   group_id          string
 *
 * AddOffsetsToTxnResponse
 *   throttle_time_ms  int32
 *   error_code        int16
 * ```
 *
 * @example
 * addOffsetsToTxn.encodeRequest(1, { transactionalId: 'tx', producerId: 1, producerEpoch: 0, groupId: 'g' });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const AddOffsetsToTxnRequest = message({
  valid: '0-4',
  flexible: '3+',
  fields: [
    f.string('transactionalId', '0+'),
    f.int64('producerId', '0+'),
    f.int16('producerEpoch', '0+'),
    f.string('groupId', '0+'),
  ],
});
export type AddOffsetsToTxnRequest = MessageOf<typeof AddOffsetsToTxnRequest>;

export const AddOffsetsToTxnResponse = message({
  valid: '0-4',
  flexible: '3+',
  fields: [f.int32('throttleTimeMs', '0+'), f.int16('errorCode', '0+')],
});
export type AddOffsetsToTxnResponse = MessageOf<typeof AddOffsetsToTxnResponse>;

/** AddOffsetsToTxn, key 25. */
export const addOffsetsToTxn = api(25, 'AddOffsetsToTxn', AddOffsetsToTxnRequest, AddOffsetsToTxnResponse);
