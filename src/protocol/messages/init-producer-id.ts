/**
 * InitProducerId (key 22): a producer id and epoch for an idempotent or transactional producer.
 * Versions 0-5, flexible from 2; v3+ lets a producer bump its epoch after an error (KIP-360).
 *
 * ```
 * InitProducerIdRequest
 *   transactional_id        nullable string
 *   transaction_timeout_ms  int32
 *   producer_id             int64 (default -1)   v3+
 *   producer_epoch          int16 (default -1)   v3+
 *
 * InitProducerIdResponse
 *   throttle_time_ms        int32
 *   error_code              int16
 *   producer_id             int64 (default -1)
 *   producer_epoch          int16
 * ```
 *
 * @example
 * initProducerId.encodeRequest(1, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const InitProducerIdRequest = message({
  valid: '0-5',
  flexible: '2+',
  fields: [
    f.nstring('transactionalId', '0+', '0+'),
    f.int32('transactionTimeoutMs', '0+'),
    f.int64('producerId', '3+', { default: -1 }),
    f.int16('producerEpoch', '3+', { default: -1 }),
  ],
});
export type InitProducerIdRequest = MessageOf<typeof InitProducerIdRequest>;

export const InitProducerIdResponse = message({
  valid: '0-5',
  flexible: '2+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.int64('producerId', '0+', { default: -1 }),
    f.int16('producerEpoch', '0+'),
  ],
});
export type InitProducerIdResponse = MessageOf<typeof InitProducerIdResponse>;

/** InitProducerId, key 22. */
export const initProducerId = api(22, 'InitProducerId', InitProducerIdRequest, InitProducerIdResponse);
