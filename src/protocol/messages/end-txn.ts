/**
 * EndTxn (key 26): commit or abort a transaction. Versions 0-5, flexible from 3; v5 (Kafka 4.0,
 * KIP-890) answers with the producer id and epoch the producer continues with.
 *
 * ```
 * EndTxnRequest
 *   transactional_id  string
 *   producer_id       int64
 *   producer_epoch    int16
 *   committed         bool
 *
 * EndTxnResponse
 *   throttle_time_ms  int32
 *   error_code        int16
 *   producer_id       int64 (default -1)  v5+
 *   producer_epoch    int16 (default -1)  v5+
 * ```
 *
 * @example
 * endTxn.encodeRequest(1, { transactionalId: 'tx', producerId: 1, producerEpoch: 0, committed: true });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const EndTxnRequest = message({
  valid: '0-5',
  flexible: '3+',
  fields: [
    f.string('transactionalId', '0+'),
    f.int64('producerId', '0+'),
    f.int16('producerEpoch', '0+'),
    f.bool('committed', '0+'),
  ],
});
export type EndTxnRequest = MessageOf<typeof EndTxnRequest>;

export const EndTxnResponse = message({
  valid: '0-5',
  flexible: '3+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.int64('producerId', '5+', { default: -1 }),
    f.int16('producerEpoch', '5+', { default: -1 }),
  ],
});
export type EndTxnResponse = MessageOf<typeof EndTxnResponse>;

/** EndTxn, key 26. */
export const endTxn = api(26, 'EndTxn', EndTxnRequest, EndTxnResponse);
